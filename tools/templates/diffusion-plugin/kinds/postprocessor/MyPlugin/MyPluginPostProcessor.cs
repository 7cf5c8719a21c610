using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.PostProcessing;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>Options of <see cref="MyPluginPostProcessor"/>: each property is a YAML key (<c>Scale</c> is written <c>scale</c>).</summary>
public sealed class MyPluginOptions
{
    /// <summary>Factor the samples are multiplied by.</summary>
    [Range(0.0, 10.0), Description("Factor the samples are multiplied by.")]
    public double Scale { get; set; } = 1.0;
}

/// <summary>
/// A post-processor to start from. Use it in a pipeline with a component <c>{ plugin: my-plugin, scale: 0.5 }</c> listed in
/// a postprocess stage's <c>processors:</c>. It returns new samples and never changes its input.
/// </summary>
[Plugin(PluginKind.PostProcessor, "my-plugin", Options = typeof(MyPluginOptions), Description = "Multiplies samples by a factor.")]
public sealed class MyPluginPostProcessor(MyPluginOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => samples * options.Scale;
}
