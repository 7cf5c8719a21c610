namespace Diffusion.Tracking;

/// <summary>The stored spelling of <see cref="RunStatus"/>.</summary>
internal static class RunStatusText
{
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string Killed = "KILLED";

    public static string Of(RunStatus status) => status switch
    {
        RunStatus.Running => Running,
        RunStatus.Completed => Completed,
        RunStatus.Failed => Failed,
        RunStatus.Killed => Killed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static RunStatus Parse(string text) => text switch
    {
        Running => RunStatus.Running,
        Completed => RunStatus.Completed,
        Failed => RunStatus.Failed,
        Killed => RunStatus.Killed,
        _ => throw new InvalidDataException($"unknown run status '{text}' in the tracking database"),
    };
}
