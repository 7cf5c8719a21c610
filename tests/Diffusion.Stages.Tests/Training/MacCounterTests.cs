using Diffusion.Abstractions.Denoisers;
using Diffusion.Stages.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

public class MacCounterTests
{
    /// <summary>conv 3x3 (2 -> 4 channels) on 5x5, then a linear layer over the flattened features, then "attention" of 25 positions.</summary>
    private sealed class Small : DenoiserModule
    {
        private readonly Conv2d conv = nn.Conv2d(2, 4, 3, padding: 1);
        private readonly Linear head = nn.Linear(100, 7);
        private readonly Linear uncounted = nn.Linear(100, 7);

        public Small() : base("small") => RegisterComponents();

        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
        {
            var h = conv.call(x);                                          // 25 positions * 4 out * (2 * 9) = 1800
            var flat = h.flatten(1);
            var q = flat.reshape(-1, 25, 4);
            MacCount.Attention(q, q, q);                                   // 25*25*4 + 25*25*4 = 5000
            uncounted.forward(flat);                                       // forward skips hooks
            return head.call(flat);                                        // 7 * 100 = 700
        }
    }

    [Fact]
    public void Linear_and_convolution_layers_and_reported_attention_are_counted_per_forward_pass()
    {
        using var net = new Small();
        net.train();

        long macs = MacCounter.Count(net, randn(1, 2, 5, 5), zeros(1), null);

        Assert.Equal(1800 + 5000 + 700, macs);
        Assert.True(net.training, "the network is back in training mode");
        Assert.False(MacCount.IsCounting);
        Assert.Equal(macs, MacCounter.Count(net, randn(1, 2, 5, 5), zeros(1), null)); // hooks were removed, not doubled
    }

    [Fact]
    public void Outside_a_count_reports_are_ignored()
    {
        MacCount.Add(1000);
        using var session = MacCount.Start();
        MacCount.Add(5);
        Assert.Equal(5, session.Total);
        Assert.Throws<InvalidOperationException>(() => MacCount.Start());
    }
}
