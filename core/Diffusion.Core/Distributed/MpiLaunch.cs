using System.Globalization;

namespace Diffusion.Core.Distributed;

/// <summary>
/// Whether this process was started by an MPI launcher, read from the environment the launcher sets, without loading
/// any MPI library: MPICH/Intel MPI's hydra (<c>PMI_RANK</c>, <c>PMI_SIZE</c>), Slurm's <c>srun</c> with PMI
/// (<c>SLURM_PROCID</c>, <c>SLURM_NTASKS</c>, only together with a <c>PMI_*</c> variable), and Open MPI
/// (<c>OMPI_COMM_WORLD_RANK</c>, <c>OMPI_COMM_WORLD_SIZE</c>), whose ABI this build does not bind (reported as such).
/// </summary>
/// <param name="Rank">This process's rank.</param>
/// <param name="Size">The number of ranks.</param>
/// <param name="LocalSize">Ranks on this machine (for the CPU threads each may use), or 0 when the launcher does not say.</param>
/// <param name="Launcher">Which launcher's variables were found.</param>
public sealed record MpiLaunch(int Rank, int Size, int LocalSize, string Launcher)
{
    /// <summary>The launch this process is part of, or null when it runs on its own (or as the only rank).</summary>
    public static MpiLaunch? Detect(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        int? Read(string name) => int.TryParse(environment(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

        MpiLaunch? launch = null;
        if (Read("PMI_RANK") is { } pmiRank && Read("PMI_SIZE") is { } pmiSize)
            launch = new MpiLaunch(pmiRank, pmiSize, Read("MPI_LOCALNRANKS") ?? 0, "mpich");
        else if (Read("OMPI_COMM_WORLD_RANK") is { } ompiRank && Read("OMPI_COMM_WORLD_SIZE") is { } ompiSize)
            launch = new MpiLaunch(ompiRank, ompiSize, Read("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 0, "openmpi");
        else if (Read("SLURM_PROCID") is { } slurmRank && Read("SLURM_NTASKS") is { } slurmSize && environment("PMI_FD") is not null)
            launch = new MpiLaunch(slurmRank, slurmSize, Read("SLURM_NTASKS_PER_NODE") ?? 0, "slurm");
        return launch is { Size: > 1 } ? launch : null;
    }
}
