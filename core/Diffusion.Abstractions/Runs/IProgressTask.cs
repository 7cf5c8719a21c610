namespace Diffusion.Abstractions.Runs;

/// <summary>One long loop being shown.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Sets the units done and an optional status such as "loss 0.0312".</summary>
    void Report(long done, string? status = null);
}
