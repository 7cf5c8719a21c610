using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Compression;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Core.Stages;

/// <summary>Options of the <c>compress</c> stage.</summary>
public sealed class CompressStageOptions
{
    /// <summary>The denoiser component whose trained model is compressed.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component whose trained model is compressed.")]
    public string Model { get; set; } = "";

    /// <summary>Compression pass components applied in order.</summary>
    [Required, MinLength(1), ComponentRef(PluginKind.Compression), Description("Compression pass components, applied in order.")]
    public string[] Passes { get; set; } = [];
}

/// <summary>Applies compression passes to a trained model; later stages use the compressed network.</summary>
[Plugin(PluginKind.Stage, "compress", Options = typeof(CompressStageOptions), Description = "Applies compression passes to a trained model, in order.")]
public sealed class CompressStage(CompressStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = StageHelpers.TrainedModel(context, options.Model);
        var network = model.Network;
        foreach (string name in options.Passes)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            network = context.Component<ICompressionPass>(name).Apply(network, context);
            context.Logger.LogInformation("compress: applied '{Pass}' to '{Model}'", name, options.Model);
        }
        context.State[StateKeys.ModelPrefix + options.Model] = model with { Network = network };
    }
}
