namespace Diffusion.Tracking.Tests.Support;

/// <summary>
/// The entry point when a test starts this assembly as its own process (<see cref="ChildProcess"/>): a second
/// writer to kill, or one of several writers at once. Test runners load the assembly and never call it.
/// </summary>
internal static class ChildProgram
{
    public static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["log", var path, var count, var experiment]:
                    LogAndComplete(path, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), experiment);
                    return 0;
                case ["log-until-killed", var path, var flushed]:
                    LogUntilKilled(path, int.Parse(flushed, System.Globalization.CultureInfo.InvariantCulture));
                    return 0;
                case ["leave-open", var path]:
                    LeaveOpen(path);
                    return 0;
                case ["claim-all", var path, var sweep, var worker]:
                    ClaimAll(path, sweep, worker);
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown child command: {string.Join(' ', args)}");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    private static void LogAndComplete(string path, int count, string experiment)
    {
        using var store = TrackingStores.Open(path, TestOptions.Fast);
        using var run = store.StartRun(TestOptions.Run("child", experiment));
        run.LogParam("pid", Environment.ProcessId);
        for (var step = 0; step < count; step++)
        {
            run.LogMetric("loss", 1.0 / (step + 1), step);
        }

        run.Complete();
        Console.WriteLine(run.RunId);
    }

    /// <summary>Logs <paramref name="flushed"/> values and flushes, says so, then keeps writing until killed.</summary>
    private static void LogUntilKilled(string path, int flushed)
    {
        var store = TrackingStores.Open(path, TestOptions.Fast);
        var run = store.StartRun(TestOptions.Run("doomed"));
        for (var step = 0; step < flushed; step++)
        {
            run.LogMetric("loss", step, step);
        }

        run.Flush();
        Console.WriteLine($"flushed {run.RunId}");
        for (long step = flushed; ; step++)
        {
            run.LogMetric("loss", step, step);
            if (step % 200 == 0)
            {
                run.Flush();
            }
        }
    }

    /// <summary>Starts a run and exits without closing it, as a crashed host would.</summary>
    private static void LeaveOpen(string path)
    {
        var store = TrackingStores.Open(path, TestOptions.Fast);
        var run = store.StartRun(TestOptions.Run("abandoned"));
        run.LogParam("lr", 0.1);
        run.Flush();
        Console.WriteLine(run.RunId);
    }

    /// <summary>Claims and finishes trials of a sweep until none is left; prints each number claimed.</summary>
    private static void ClaimAll(string path, string sweep, string worker)
    {
        using var store = TrackingStores.OpenSweeps(path, TestOptions.Fast);
        while (true)
        {
            var claim = store.Claim(sweep, worker, null);
            if (claim.Outcome is ClaimOutcome.Finished or ClaimOutcome.Stopped)
            {
                return;
            }

            if (claim.Trial is not { } trial)
            {
                Thread.Sleep(5);
                continue;
            }

            Console.WriteLine(trial.Number);
            if (!store.Finish(sweep, trial.Number, worker, TrialState.Completed, trial.Number, null))
            {
                throw new InvalidOperationException($"lost trial {trial.Number}");
            }
        }
    }
}
