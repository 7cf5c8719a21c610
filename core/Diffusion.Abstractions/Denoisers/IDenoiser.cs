namespace Diffusion.Abstractions.Denoisers;

/// <summary>A denoiser architecture: builds the network for the data a modality provides.</summary>
public interface IDenoiser
{
    /// <summary>Builds a freshly initialised network for data of <paramref name="data"/>'s shape (on the CPU).</summary>
    DenoiserModule Build(DataSpec data);
}
