namespace Diffusion.Cli.Tests.Distributed;

/// <summary>
/// <c>run --nproc N</c> prints the ranks' last words itself once mpiexec returns: MPI_Abort can cut off what a rank
/// printed just before it (seen in CI: the collective-timeout error went missing from the job's output).
/// </summary>
public sealed class LaunchReportTests
{
    private const string Pipeline = """
        name: launch
        seed: 1
        components:
          data: {plugin: image, dataset: shapes, image_size: 8, count: 8}
          model: {plugin: unet2d, base_channels: 8, channel_mults: [1], res_blocks: 1, attention_resolutions: []}
          noise: {plugin: ddpm, timesteps: 10}
        stages:
          - {name: train, type: train, model: model, data: data, sampler: noise, steps: 1, batch_size: 4}
        """;

    [Fact]
    public void TheLauncherPrintsWhatTheRanksLeftInItsReportAndDeletesIt()
    {
        using var work = new WorkDir();
        string file = work.File("p.yaml", Pipeline);
        // A stand-in for mpiexec: like a rank that ended with MPI_Abort, it prints nothing itself and leaves its error
        // in the report; it also notes the report's path so the test can see the launcher removed it.
        string fake = work.File("fake-mpiexec.sh", """
            #!/bin/sh
            printf 'error: run abc FAILED: rank 0 waited 15 s in all-reduce\n' >> "$DIFFUSION_LAUNCH_REPORT"
            printf '%s' "$DIFFUSION_LAUNCH_REPORT" > report-path.txt
            exit 3
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = Cli.Run(work.Path, new Dictionary<string, string> { ["DIFFUSION_MPIEXEC"] = fake, ["DIFFUSION_DB"] = Path.Combine(work.Path, "t.db") },
            "run", file, "--nproc", "2");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("error: run abc FAILED: rank 0 waited 15 s in all-reduce", result.Stderr);
        string report = File.ReadAllText(Path.Combine(work.Path, "report-path.txt"));
        Assert.StartsWith(Path.GetTempPath(), report);
        Assert.False(File.Exists(report), "the launcher left its report file behind");
    }
}
