namespace Diffusion.Stages.Distillation;

/// <summary>How the <c>distill</c> stage trains its student.</summary>
public enum DistillMethod
{
    /// <summary>Consistency distillation: sample with the <c>consistency</c> sampler in 1, 2, 4 or 8 steps.</summary>
    Consistency,

    /// <summary>Progressive distillation: rounds halving the steps; sample with <c>ddim</c> (<c>timestep_spacing: trailing</c>) at the final step count.</summary>
    Progressive,
}
