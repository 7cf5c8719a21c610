namespace Diffusion.Stages.Distillation;

/// <summary>How the <c>distill</c> stage trains its student.</summary>
public enum DistillMethod
{
    /// <summary>Consistency distillation: sample with the <c>consistency</c> sampler in 1, 2, 4 or 8 steps.</summary>
    Consistency,

    /// <summary>Progressive distillation: rounds halving the steps; sample with <c>ddim</c> (<c>timestep_spacing: trailing</c>) at the final step count.</summary>
    Progressive,
}

/// <summary>What a distilled student predicts (<see cref="DistillStageOptions.StudentPrediction"/>).</summary>
public enum StudentPrediction
{
    /// <summary>v for an ε teacher; the teacher's prediction type otherwise.</summary>
    Auto,

    /// <summary>The teacher's prediction type.</summary>
    Same,

    /// <summary>v (Salimans and Ho 2022): x̂0 = √ᾱ·x_t − √(1 − ᾱ)·v̂, bounded at every noise level.</summary>
    VPrediction,
}
