namespace Diffusion.Core.Tests.Tracking;

/// <summary>A benchmark: skipped unless <c>DIFFUSION_BENCH=1</c>; its figures go in docs/benchmarks.md.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DIFFUSION_BENCH") != "1") Skip = "benchmark: set DIFFUSION_BENCH=1 to run it";
    }
}
