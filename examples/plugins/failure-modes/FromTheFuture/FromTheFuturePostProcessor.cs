using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.PostProcessing;

namespace FromTheFuture;

/// <summary>A plugin written for Diffusion.Abstractions 3.0.</summary>
[Plugin(PluginKind.PostProcessor, "from-the-future")]
public sealed class FromTheFuturePostProcessor : IPostProcessor
{
    /// <inheritdoc />
    public Task<object> ProcessAsync(object samples, CancellationToken cancellation) => Task.FromResult(samples);
}
