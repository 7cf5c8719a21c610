using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Torch;

public class TorchSharpLoadsTests
{
    [Fact]
    public void ForwardAndBackwardPassRunOnThisMachine()
    {
        // Fails with "GLIBCXX_3.4.32 not found" unless the build's native-library fix worked.
        using var scope = NewDisposeScope();
        manual_seed(7);
        var layer = nn.Linear(4, 3);
        var x = randn(8, 4);
        var loss = layer.forward(x).pow(2).mean();
        loss.backward();

        var grad = layer.weight!.grad!;
        Assert.Equal(new long[] { 3, 4 }, grad.shape);
        Assert.True(grad.abs().sum().item<float>() > 0, "gradients should flow back to the weights");
    }
}
