using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>Builds the optimizer the options name.</summary>
internal static class Optimizers
{
    public static optim.Optimizer Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double lr, double weightDecay) => kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, lr, weight_decay: weightDecay),
        OptimizerKind.Sgd => optim.SGD(parameters, lr, momentum: 0.9, weight_decay: weightDecay),
        _ => new AdamW(parameters, lr, weightDecay), // TorchSharp's AdamW over packed parameters
    };
}
