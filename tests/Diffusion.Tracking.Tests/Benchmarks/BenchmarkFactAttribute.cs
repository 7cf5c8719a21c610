namespace Diffusion.Tracking.Tests.Benchmarks;

/// <summary>
/// A benchmark: skipped unless <c>DIFFUSION_BENCH=1</c>, since it takes minutes and its figures belong in
/// docs/benchmarks.md, not in a pass/fail test. Run with
/// <c>DIFFUSION_BENCH=1 dotnet test tests/Diffusion.Tracking.Tests --filter Category=Benchmark --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DIFFUSION_BENCH") != "1")
        {
            Skip = "benchmark: set DIFFUSION_BENCH=1 to run it";
        }

        Timeout = 0;
    }
}
