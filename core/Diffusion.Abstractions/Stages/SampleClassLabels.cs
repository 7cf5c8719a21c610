namespace Diffusion.Abstractions.Stages;

/// <summary>Which class labels a sampling stage conditions on (<see cref="GuidedSamplingOptions.ClassLabels"/>).</summary>
public enum SampleClassLabels
{
    /// <summary>No labels: unconditional samples ("no class" for a class-conditional model).</summary>
    None,
    /// <summary>Sample i is drawn for class i mod the number of classes, so every class gets its share.</summary>
    Cycle,
}
