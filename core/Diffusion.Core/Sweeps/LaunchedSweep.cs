using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>A sweep ready for workers: its record and the recorder of its parent run (held by the process that waits on the sweep).</summary>
/// <param name="Sweep">The sweep.</param>
/// <param name="Parent">The parent run's recorder; close it when the sweep ends.</param>
public sealed record LaunchedSweep(SweepRecord Sweep, IRunRecorder Parent);
