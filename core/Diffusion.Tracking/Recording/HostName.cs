namespace Diffusion.Tracking;

/// <summary>
/// The name runs and sweep workers record as their machine. <c>DIFFUSION_HOST_NAME</c> overrides it: for tests that
/// play two machines on one, and for hosts whose name is not unique (containers that all say <c>localhost</c>).
/// </summary>
public static class HostName
{
    /// <summary>The variable that overrides the machine name.</summary>
    public const string Variable = "DIFFUSION_HOST_NAME";

    /// <summary><c>DIFFUSION_HOST_NAME</c> when set, else <see cref="Environment.MachineName"/>.</summary>
    public static string Current =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } name ? name : Environment.MachineName;
}
