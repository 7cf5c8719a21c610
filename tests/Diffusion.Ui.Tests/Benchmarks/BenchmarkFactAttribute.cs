namespace Diffusion.Ui.Tests.Benchmarks;

/// <summary>
/// A benchmark (tools/bench-ui.sh): skipped unless <c>DIFFUSION_BENCH=1</c>, since it fills a large database and its
/// figures belong in docs/benchmarks.md, not in a pass/fail test.
/// </summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DIFFUSION_BENCH") != "1")
        {
            Skip = "benchmark: set DIFFUSION_BENCH=1 to run it (tools/bench-ui.sh)";
        }

        Timeout = 0;
    }
}
