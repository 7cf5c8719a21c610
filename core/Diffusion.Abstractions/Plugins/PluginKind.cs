namespace Diffusion.Abstractions.Plugins;

/// <summary>The kinds of plugin the host discovers. Each kind has one small contract interface.</summary>
public enum PluginKind
{
    /// <summary>Noise schedule + sampler (<see cref="Samplers.ISampler"/>).</summary>
    Sampler,
    /// <summary>Denoiser network architecture (<see cref="Denoisers.IDenoiser"/>).</summary>
    Denoiser,
    /// <summary>Data source, sample writer and metrics for one kind of data (<see cref="Modalities.IModality"/>).</summary>
    Modality,
    /// <summary>Model compression pass such as quantization or pruning (<see cref="Compression.ICompressionPass"/>).</summary>
    Compression,
    /// <summary>Transformation applied to generated samples (<see cref="PostProcessing.IPostProcessor"/>).</summary>
    PostProcessor,
    /// <summary>A pipeline stage type such as train or sample (<see cref="Stages.IStage"/>).</summary>
    Stage,
}
