namespace Diffusion.Abstractions.Stages;

/// <summary>Where a sampling stage's per-sample conditions come from (<see cref="GuidedSamplingOptions.Conditions"/>).</summary>
public enum SampleConditions
{
    /// <summary>Only class labels or prompts, if given.</summary>
    None,
    /// <summary>Sample i is conditioned on held-out item i of the data component.</summary>
    Test,
}
