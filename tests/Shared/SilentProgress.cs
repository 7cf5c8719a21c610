using Diffusion.Abstractions.Runs;

namespace Diffusion.Tests.Shared;

/// <summary>A progress display that shows nothing, for tests that run pipelines in process.</summary>
internal sealed class SilentProgress : IProgressReporter
{
    public IProgressTask Start(string label, long total, long alreadyDone = 0) => new Task();

    private sealed class Task : IProgressTask
    {
        public void Report(long done, string? status = null) { }

        public void Dispose() { }
    }
}
