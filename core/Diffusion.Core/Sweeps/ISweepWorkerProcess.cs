namespace Diffusion.Core.Sweeps;

/// <summary>
/// A running worker of a sweep, as the <see cref="SweepSupervisor"/> that started it sees it. Disposing it waits
/// for the worker to exit.
/// </summary>
public interface ISweepWorkerProcess : IDisposable
{
    /// <summary>Whether the worker has exited.</summary>
    bool HasExited { get; }

    /// <summary>Asks the worker to stop: it puts its trial back in the queue and exits.</summary>
    void Interrupt();
}
