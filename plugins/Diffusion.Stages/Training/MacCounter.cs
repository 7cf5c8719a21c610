using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// Counts the multiply-accumulates of one forward pass: forward hooks on linear and convolution layers (weight
/// [out, in/groups, k..]: output elements × in/groups × kernel; transposed convolutions: input elements × out/groups ×
/// kernel), plus what the network reports itself through <see cref="MacCount"/> (attention products). Layers run
/// with <c>forward</c> instead of <c>call</c> skip hooks and are not counted.
/// </summary>
internal static class MacCounter
{
    /// <summary>MACs of <paramref name="network"/> on the given input, run once in eval mode without gradients.</summary>
    public static long Count(DenoiserModule network, Tensor x, Tensor t, Conditioning? conditioning)
    {
        var removers = new List<Action>();
        bool training = network.training;
        using var session = MacCount.Start();
        try
        {
            foreach (var module in network.modules())
            {
                switch (module)
                {
                    case Linear or Conv1d or Conv2d or Conv3d:
                        var layer = (nn.Module<Tensor, Tensor>)module;
                        removers.Add(layer.register_forward_hook((m, _, output) =>
                        {
                            MacCount.Add(output.numel() * KernelVolume(m));
                            return output;
                        }).remove);
                        break;
                    case ConvTranspose1d or ConvTranspose2d or ConvTranspose3d:
                        removers.Add(((nn.Module<Tensor, Tensor>)module).register_forward_hook((m, input, output) =>
                        {
                            MacCount.Add(input.numel() * KernelVolume(m));
                            return output;
                        }).remove);
                        break;
                }
            }
            network.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.forward(x, t, conditioning);
            return session.Total;
        }
        finally
        {
            foreach (var remove in removers) remove();
            network.train(training);
        }
    }

    /// <summary>The product of a layer's weight dimensions after the first.</summary>
    private static long KernelVolume(nn.Module layer)
    {
        var weight = layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
        return weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
    }
}
