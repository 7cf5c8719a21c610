namespace Diffusion.Abstractions.Plugins
{
    /// <summary>Plugin kinds in the imagined 3.0 contracts.</summary>
    public enum PluginKind { Sampler, Denoiser, Modality, Compression, PostProcessor, Stage }

    /// <summary>The plugin attribute in the imagined 3.0 contracts.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class PluginAttribute(PluginKind kind, string name) : Attribute
    {
        /// <summary>The kind.</summary>
        public PluginKind Kind { get; } = kind;
        /// <summary>The name.</summary>
        public string Name { get; } = name;
    }
}

namespace Diffusion.Abstractions.PostProcessing
{
    /// <summary>A post-processor in the imagined 3.0 contracts, with a different signature.</summary>
    public interface IPostProcessor
    {
        /// <summary>Processes samples asynchronously.</summary>
        Task<object> ProcessAsync(object samples, CancellationToken cancellation);
    }
}
