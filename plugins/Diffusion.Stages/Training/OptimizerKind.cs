namespace Diffusion.Stages;

/// <summary>Optimizers the train stage offers.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay.</summary>
    [OptionName("adamw")]
    AdamW,
    /// <summary>Adam.</summary>
    Adam,
    /// <summary>Stochastic gradient descent with momentum 0.9.</summary>
    Sgd,
}
