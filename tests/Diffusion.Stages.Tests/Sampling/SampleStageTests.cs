using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Runs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Stages.Tests.Sampling;

/// <summary>The sample stage run through the host, on the tiny pipeline.</summary>
public class SampleStageTests
{
    private static RunResult Run(TempFolder folder, string db, params string[] overrides)
    {
        var runner = new PipelineRunner(NullLogger.Instance, new SilentProgress());
        return runner.Run(new RunRequest(TinyPipeline.Load(folder, overrides), db, Path.GetDirectoryName(db)!, null), CancellationToken.None);
    }

    [Fact]
    public void EachSampleIsTheSameWhateverTheBatchSize()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        var whole = Run(temp, db, "stages.sample.batch_size=4");
        var oneByOne = Run(temp, db, "stages.sample.batch_size=1");

        // Same noise and steps per sample; batched kernels may round differently, so compare to float precision.
        var (a, _) = SafeTensors.Read(Path.Combine(whole.RunFolder, "sample.safetensors"));
        var (b, _) = SafeTensors.Read(Path.Combine(oneByOne.RunFolder, "sample.safetensors"));
        Assert.Equal(new long[] { 4, 1, 8, 8 }, a["samples"].shape);
        Assert.True(a["samples"].allclose(b["samples"], rtol: 0, atol: 1e-4), "sample i must not depend on the batch size");
        Assert.True(a["samples"].std().item<float>() > 0.05, "the samples differ from one another");
    }
}
