namespace Diffusion.Core.Host;

/// <summary>What <see cref="ProcessSetup.Apply"/> chose, as recorded with each run (params <c>host.malloc</c>, <c>host.omp_wait</c>).</summary>
/// <param name="Allocator">The allocator setting, e.g. "fixed thresholds (trim 256 MiB, mmap 32 MiB)" or "system (...)".</param>
/// <param name="OpenMpWait">How idle OpenMP threads wait, e.g. "GOMP_SPINCOUNT=10000".</param>
public sealed record ProcessSetupReport(string Allocator, string OpenMpWait);
