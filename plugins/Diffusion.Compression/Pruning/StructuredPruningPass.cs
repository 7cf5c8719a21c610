using Diffusion.Abstractions.Modalities;

namespace Diffusion.Compression.Pruning;

/// <summary>
/// Structured channel pruning: removes the least important hidden channels of every residual block (unet2d) and mlp
/// block, physically shrinking the convolutions and linear layers around them (and their GroupNorm), so the network
/// needs fewer parameters and MACs. The stored weights carry the new shapes; the train stage rebuilds them with
/// <c>init_from_previous</c> or from a checkpoint marked <c>architecture: shapes-from-weights</c>.
/// </summary>
[Plugin(PluginKind.Compression, "prune-structured", Options = typeof(StructuredPruningOptions),
    Description = "Channel pruning (L1 or Taylor importance over timesteps) that physically shrinks unet2d and mlp blocks.")]
public sealed class StructuredPruningPass(StructuredPruningOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        var groups = ChannelGroup.Find(model);
        if (groups.Count == 0)
            throw new PluginInputException("prune-structured: the model has no prunable block (unet2d residual blocks or mlp blocks)");
        foreach (var group in groups)
        {
            foreach (var module in group.Producers.Append(group.Consumer))
                if (module.named_buffers(recurse: false).Any())
                    throw new PluginInputException($"prune-structured: block '{group.Name}' is already quantized or masked; apply prune-structured before other passes");
        }

        var scores = options.Importance == ChannelImportance.L1 ? L1Scores(groups) : TaylorScores(model, groups, context);
        long before = 0, after = 0;
        using var noGrad = no_grad();
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            long channels = group.Channels;
            long keep = KeptChannels(channels, options.Ratio, group.Norm?.num_groups ?? 1);
            using var scope = NewDisposeScope();
            var kept = scores[i].argsort(descending: true).narrow(0, 0, keep).sort().Values;
            group.Keep(kept);
            before += channels;
            after += keep;
        }
        foreach (var s in scores) s.Dispose();
        context.Logger.LogInformation("prune-structured ({Importance}): {Groups} blocks, hidden channels {Before} -> {After}",
            OptionNames.EnumValueName(options.Importance), groups.Count, before, after);
        return model;
    }

    /// <summary>Channels kept: (1 − ratio)·C rounded to a multiple of the group count, at least one group, at most C.</summary>
    public static long KeptChannels(long channels, double ratio, long multiple)
    {
        long keep = (long)Math.Round((1 - ratio) * channels / multiple) * multiple;
        return Math.Clamp(keep, multiple, channels);
    }

    private static List<Tensor> L1Scores(List<ChannelGroup> groups)
    {
        using var noGrad = no_grad();
        return groups.Select(g =>
        {
            var weight = g.ChannelParameters().First().Parameter;
            return weight.detach().abs().reshape(weight.shape[0], -1).sum(1).cpu().DetachFromDisposeScope();
        }).ToList();
    }

    private List<Tensor> TaylorScores(DenoiserModule model, List<ChannelGroup> groups, IRunContext context)
    {
        var trained = ModelLookup.For(model, context, "prune-structured");
        var schedule = trained.Schedule;
        var modality = context.Component<IModality>(options.Data!);
        using var data = modality.Load(DataSplit.Train);
        var scores = groups.Select(g => zeros(g.Channels).DetachFromDisposeScope()).ToList();
        bool training = model.training;
        model.eval(); // no dropout: the importance of the network as it samples
        var parameters = model.parameters().ToList();
        var requiredGrad = parameters.Select(p => p.requires_grad).ToList();
        foreach (var p in parameters) p.requires_grad_(true); // a trained EMA network has gradients off
        try
        {
            for (int batch = 0; batch < options.Batches; batch++)
            {
                using var scope = NewDisposeScope();
                int n = options.BatchSize;
                using var generators = context.GeneratorsFor((long)batch * n, n, "prune-taylor");
                var index = (arange(n, dtype: ScalarType.Int64) + (long)batch * n) % data.Count;
                var x0 = data.Items.index_select(0, index).to(context.Device);
                var noise = generators.Randn(trained.Data.ItemShape, context.Device);
                // Timesteps spread evenly over [0, T): batch b, item i sits at ((b·n + i) / (B·n))·T.
                var t = ((arange(n, dtype: ScalarType.Float64) + (double)batch * n) * schedule.Timesteps / ((double)options.Batches * n))
                    .floor().to_type(ScalarType.Int64).to(context.Device);
                var labels = data.Labels?.index_select(0, index).to(context.Device);
                model.zero_grad();
                var xt = schedule.AddNoise(x0, noise, t);
                var output = model.forward(xt, t.to_type(ScalarType.Float32), labels is null ? null : new Conditioning(ClassLabels: labels));
                nn.functional.mse_loss(output, schedule.TrainingTarget(x0, noise, t)).backward();
                using var noGrad = no_grad();
                for (int g = 0; g < groups.Count; g++)
                {
                    foreach (var (p, dim) in groups[g].ChannelParameters())
                    {
                        if (p.grad is null) continue;
                        var contribution = (p.detach() * p.grad).abs();
                        var perChannel = dim == 0
                            ? contribution.reshape(contribution.shape[0], -1).sum(1)
                            : contribution.transpose(0, 1).reshape(contribution.shape[1], -1).sum(1);
                        scores[g].add_(perChannel.cpu());
                    }
                }
            }
        }
        finally
        {
            model.zero_grad();
            for (int i = 0; i < parameters.Count; i++) parameters[i].requires_grad_(requiredGrad[i]);
            model.train(training);
        }
        return scores;
    }
}
