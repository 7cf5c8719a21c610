using System.CommandLine;
using Diffusion.Cli;
using Diffusion.Core.Host;
using Diffusion.Tracking;

// Before libtorch loads: allocator thresholds and how idle OpenMP threads wait (docs/performance.md).
ProcessSetup.Apply();
// Under 'dotnet run', end (as Ctrl+C does) when 'dotnet run' itself is terminated, instead of running on orphaned.
ParentWatch.ArmUnderDotnetRun();
var parsed = CommandLine.Build().Parse(args);
if (parsed.Errors.Count > 0) return CommandLine.ReportParseErrors(parsed);
try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (TrackingStoreException e)
{
    // The tracking database cannot be used as given (server unreachable, password refused, bad URI, corrupt file):
    // a user's mistake, told in one line with what to fix, and never with a password in it.
    Console.Error.WriteLine($"error: {TrackingStores.Redact(e.Message)}");
    return CommandLine.InvalidInput;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine($"Unhandled exception: {TrackingStores.Redact(e.ToString())}");
    return 1;
}
