using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.PostProcessing;
using Diffusion.Abstractions.Runs;
using NeedsHelper.Helper;
using static TorchSharp.torch;

namespace NeedsHelper;

/// <summary>A post-processor that needs NeedsHelper.Helper.dll beside it; without it the host reports the missing file.</summary>
[Plugin(PluginKind.PostProcessor, "needs-helper", Description = "Doubles samples with a helper library.")]
public sealed class NeedsHelperPostProcessor : Doubler, IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => samples * Twice(1.0);
}
