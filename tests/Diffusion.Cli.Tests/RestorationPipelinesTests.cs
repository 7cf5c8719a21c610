using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests;

/// <summary>
/// pipelines/inpaint.yaml, superres.yaml and denoise.yaml run end to end, shrunk with --set to a tiny model, a few
/// training steps and two images, and log the metrics that compare each method with its baselines.
/// </summary>
public class RestorationPipelinesTests
{
    private static readonly string[] Tiny =
    [
        "components.data.count=32", "components.model.base_channels=8", "components.noise.timesteps=50",
        "stages.train.steps=2", "stages.train.batch_size=4",
    ];

    [Fact]
    public void InpaintRunsAtTinyScaleAndLogsBothBaselines()
    {
        var metrics = Run("inpaint.yaml", "stages.inpaint.count=2", "stages.inpaint.steps=4", "stages.inpaint.jump_length=2", "stages.inpaint.jump_n_sample=2",
            "stages.inpaint.mask=strokes");

        Assert.Contains("inpaint/psnr", metrics.Keys);
        Assert.Contains("inpaint/psnr_mean_fill", metrics.Keys);
        Assert.Contains("inpaint/psnr_replace", metrics.Keys);
        Assert.Equal(0, metrics["inpaint/known_max_error"]);
    }

    [Fact]
    public void SuperresRunsAtTinyScaleAndLogsTheBicubicBaseline()
    {
        var metrics = Run("superres.yaml", "stages.superres.count=2", "stages.superres.steps=2");

        Assert.Contains("superres/psnr", metrics.Keys);
        Assert.Contains("superres/ssim", metrics.Keys);
        Assert.Contains("superres/psnr_bicubic", metrics.Keys);
        Assert.Contains("superres/ssim_bicubic", metrics.Keys);
    }

    [Fact]
    public void DenoiseRunsAtTinyScaleAndLogsTheNoisyInput()
    {
        var metrics = Run("denoise.yaml", "stages.denoise.count=2", "stages.denoise.steps=2");

        Assert.Contains("denoise/psnr", metrics.Keys);
        Assert.InRange(metrics["denoise/psnr_input"], 17, 26); // std 0.1 of the range: 20 dB, up to 3 dB more where clamping at black or white halves the noise
    }

    private static Dictionary<string, double> Run(string pipeline, params string[] overrides)
    {
        using var work = new WorkDir();
        var result = Cli.Run(work.Path, ["run", Path.Combine(Cli.RepoRoot, "pipelines", pipeline), .. Tiny.Concat(overrides).SelectMany(o => new[] { "--set", o })]);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("COMPLETED", result.Stdout);
        string stage = Path.GetFileNameWithoutExtension(pipeline);
        Assert.Single(Directory.GetFiles(Path.Combine(work.Path, "runs"), stage + ".png", SearchOption.AllDirectories));

        using var connection = new SqliteConnection($"Data Source={Path.Combine(work.Path, "runs", "tracking.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM metrics WHERE key LIKE $prefix";
        command.Parameters.AddWithValue("$prefix", stage + "/%");
        var metrics = new Dictionary<string, double>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) metrics[reader.GetString(0)] = reader.GetDouble(1);
        return metrics;
    }
}
