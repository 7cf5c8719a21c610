using System.CommandLine;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion runs migrate --to postgresql://...</c>: copies the local tracking database (<c>--db</c>, a SQLite file)
/// to a PostgreSQL server: runs, params, metrics, tags, artifact records and sweeps, one transaction per run. Safe to
/// run again (runs already there are left alone). Exit 0 when every run is there with an equal checksum, 1 when a
/// run could not be copied or differs, 2 for a bad location.
/// </summary>
internal static class RunsMigrateCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "The target: postgresql://USER@HOST:PORT/DATABASE.", Required = true };
        var command = new Command("migrate", "Copy the tracking database (--db, a SQLite file) to a PostgreSQL server; safe to run again.") { to };
        command.SetAction(result =>
        {
            if (CommandLine.Tracking(result) is not { } source) return CommandLine.InvalidInput;
            string target = result.GetValue(to)!;
            if (!target.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine("error: --to takes a postgresql://USER@HOST:PORT/DATABASE URI");
                return CommandLine.InvalidInput;
            }
            string shown = TrackingStores.For(target).Location;
            Console.WriteLine($"copying {source.Location} to {shown}");
            var summary = TrackingCopy.Copy(source.Location, target);
            Console.WriteLine($"{summary.Copied} run{(summary.Copied == 1 ? "" : "s")} copied ({summary.MetricRows} metric rows), " +
                              $"{summary.AlreadyThere} already there, {summary.SweepsCopied} sweep{(summary.SweepsCopied == 1 ? "" : "s")} copied; " +
                              $"{summary.SourceRuns} runs in the source, {summary.TargetRuns} in the target");
            foreach (var (run, error) in summary.Failed) Console.Error.WriteLine($"error: run {run} not copied (nothing of it is in the target): {TrackingStores.Redact(error)}");
            foreach (var run in summary.Mismatched) Console.Error.WriteLine($"error: run {run} differs between the source and the target (checksum)");
            if (summary.Failed.Count > 0 || summary.Mismatched.Count > 0) return 1;
            Console.WriteLine($"checksums equal for all {summary.SourceRuns} runs");
            return 0;
        });
        return command;
    }
}
