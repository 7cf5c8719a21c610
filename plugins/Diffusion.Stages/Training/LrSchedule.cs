namespace Diffusion.Stages;

/// <summary>How the learning rate moves after warm-up.</summary>
public enum LrSchedule
{
    /// <summary>Stays at the peak.</summary>
    Constant,
    /// <summary>Half a cosine from the peak down towards <c>min_lr</c> at the last step.</summary>
    Cosine,
}
