namespace Diffusion.Abstractions.Runs;

/// <summary>Progress display: a live bar on a terminal, periodic lines when output is redirected.</summary>
public interface IProgressReporter
{
    /// <summary>Starts a task of <paramref name="total"/> units; dispose it when done.</summary>
    IProgressTask Start(string label, long total, long alreadyDone = 0);
}
