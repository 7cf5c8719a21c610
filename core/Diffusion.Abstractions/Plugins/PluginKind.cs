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

/// <summary>Names of plugin kinds as written in pipeline files and printed by the CLI.</summary>
public static class PluginKinds
{
    /// <summary>The lower-case name of a kind (<c>sampler</c>, <c>postprocessor</c>, ...).</summary>
    public static string ToName(this PluginKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The contract interface a class of this kind must implement.</summary>
    public static Type ContractType(this PluginKind kind) => kind switch
    {
        PluginKind.Sampler => typeof(Samplers.ISampler),
        PluginKind.Denoiser => typeof(Denoisers.IDenoiser),
        PluginKind.Modality => typeof(Modalities.IModality),
        PluginKind.Compression => typeof(Compression.ICompressionPass),
        PluginKind.PostProcessor => typeof(PostProcessing.IPostProcessor),
        PluginKind.Stage => typeof(Stages.IStage),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
