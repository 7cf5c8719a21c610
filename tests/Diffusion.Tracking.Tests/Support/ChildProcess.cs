using System.Diagnostics;

namespace Diffusion.Tracking.Tests.Support;

/// <summary>Starts this test assembly as a separate process running <see cref="ChildProgram"/>.</summary>
internal static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ChildProgram).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start the child process");
    }

    /// <summary>Waits for the child to end and returns its stdout; fails the test on a non-zero exit code.</summary>
    public static async Task<string> RunToEndAsync(Process child, TimeSpan timeout)
    {
        using var _ = child;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await child.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"child did not finish within {timeout}");
        }

        Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {await errors}");
        return (await output).Trim();
    }
}
