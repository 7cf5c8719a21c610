namespace Diffusion.Abstractions.Plugins;

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
