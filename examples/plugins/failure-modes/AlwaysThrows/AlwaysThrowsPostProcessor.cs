using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.PostProcessing;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace AlwaysThrows;

/// <summary>A post-processor whose constructor always throws: the run that uses it fails with a message naming it.</summary>
[Plugin(PluginKind.PostProcessor, "always-throws", Description = "Fails on purpose when created.")]
public sealed class AlwaysThrowsPostProcessor : IPostProcessor
{
    /// <summary>Always throws.</summary>
    public AlwaysThrowsPostProcessor() => throw new InvalidOperationException("the always-throws example fails on purpose");

    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => samples.alias();
}
