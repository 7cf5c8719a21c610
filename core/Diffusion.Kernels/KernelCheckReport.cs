namespace Diffusion.Kernels;

/// <summary>The outcome of one self-check: every kernel's result and the time it took.</summary>
public sealed record KernelCheckReport(IReadOnlyList<KernelResult> Results, double Seconds)
{
    /// <summary>True when every kernel passed.</summary>
    public bool Passed => Results.All(r => r.Passed);

    /// <summary>The kernels that failed, as "name (output error e, gradient of LEAF error e)".</summary>
    public string Failures => string.Join("; ", Results.Where(r => !r.Passed).Select(r =>
        $"{r.Name}: output error {r.OutputError:G3}, {r.WorstGradient} gradient error {r.GradientError:G3}"));
}
