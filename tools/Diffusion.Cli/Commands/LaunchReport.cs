namespace Diffusion.Cli.Commands;

/// <summary>
/// The last words of a data-parallel run that ends with <c>MPI_Abort</c>. mpiexec forwards a rank's standard error
/// through its process manager, and MPI_Abort can tear that down before it has passed on what the rank printed just
/// before (MPICH's Hydra loses it now and then on a busy machine): the error saying why the run failed was missing.
/// <c>diffusion run --nproc N</c> therefore names a file in <see cref="Variable"/>; the ranks append those lines to it
/// and the launcher prints them once mpiexec has returned. Started by <c>mpiexec</c> directly, the ranks print them.
/// </summary>
internal static class LaunchReport
{
    public const string Variable = "DIFFUSION_LAUNCH_REPORT";

    private static readonly Lazy<TextWriter?> ReportFile = new(Open);

    /// <summary>Where this rank's last words go: the launcher's file (opened once per process), else <paramref name="fallback"/>.</summary>
    public static TextWriter Writer(TextWriter fallback) => ReportFile.Value ?? fallback;

    private static TextWriter? Open()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path) return null;
        try
        {
            // Append and flush each line: two ranks may write, and MPI_Abort comes right after.
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return TextWriter.Synchronized(new StreamWriter(stream) { AutoFlush = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The launcher's side: a fresh file for the ranks to write to.</summary>
    public static string Create()
    {
        string path = Path.Combine(Path.GetTempPath(), $"diffusion-launch-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "");
        return path;
    }

    /// <summary>The launcher's side, after mpiexec returned: prints what the ranks left and deletes the file.</summary>
    public static void Print(string path, TextWriter output)
    {
        try
        {
            string text = File.ReadAllText(path);
            if (text.Length > 0) output.Write(text);
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nothing was left
        }
    }
}
