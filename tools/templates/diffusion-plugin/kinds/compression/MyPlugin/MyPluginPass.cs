using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Compression;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>Options of <see cref="MyPluginPass"/>: each property is a YAML key (<c>Fraction</c> is written <c>fraction</c>).</summary>
public sealed class MyPluginOptions
{
    /// <summary>Share of each weight matrix's entries set to zero, the smallest in magnitude first.</summary>
    [Range(0.0, 0.99), Description("Share of each weight matrix's entries set to zero, the smallest in magnitude first.")]
    public double Fraction { get; set; } = 0.5;
}

/// <summary>
/// A compression pass to start from: magnitude pruning. In every weight with two or more dimensions (biases and norms
/// are kept), the given share of entries with the smallest magnitude becomes zero, in place. Run it with
/// <c>{ type: compress, model: model, passes: [prune] }</c> and a component <c>prune: { plugin: my-plugin, fraction: 0.3 }</c>;
/// later stages sample from the pruned network.
/// </summary>
[Plugin(PluginKind.Compression, "my-plugin", Options = typeof(MyPluginOptions), Description = "Magnitude pruning: zeroes the smallest weights of each layer, in place.")]
public sealed class MyPluginPass(MyPluginOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        using var noGrad = no_grad();
        long pruned = 0, total = 0;
        foreach (var (name, weight) in model.named_parameters())
        {
            if (weight.dim() < 2) continue;
            using var scope = NewDisposeScope();
            long count = (long)Math.Floor(options.Fraction * weight.numel());
            total += weight.numel();
            if (count == 0) continue;
            var smallest = weight.abs().flatten().argsort().narrow(0, 0, count);
            var mask = ones(weight.numel(), dtype: weight.dtype, device: weight.device).index_fill_(0, smallest, 0);
            weight.mul_(mask.view_as(weight));
            pruned += count;
        }
        context.Tracker.LogMetric($"{context.StageName}/my-plugin_sparsity", total == 0 ? 0 : (double)pruned / total, 0);
        context.Logger.LogInformation("my-plugin: set {Pruned} of {Total} weights to zero", pruned, total);
        return model;
    }
}
