namespace Diffusion.Stages;

/// <summary>Small pieces the first-party stages share.</summary>
internal static class StageHelpers
{
    /// <summary>The model a train stage left for component <paramref name="name"/>.</summary>
    public static TrainedModel TrainedModel(IRunContext context, string name) =>
        context.State.TryGetModel(name, out var model)
            ? model
            : throw new PluginInputException(
                $"stage '{context.StageName}' needs a trained model for component '{name}', but no earlier stage trained it: add a train stage with model: {name} before this stage");

    /// <summary>The samples an earlier stage produced.</summary>
    public static GeneratedSamples Samples(IRunContext context) =>
        context.State.Samples
            ?? throw new PluginInputException($"stage '{context.StageName}' needs samples, but no earlier stage produced any: add a sample stage before it");

    /// <summary>
    /// Fails with a clear message when floating-point <paramref name="samples"/> hold NaN or infinity (metrics and writers
    /// would otherwise fail deep in libtorch, e.g. an eigendecomposition that does not converge).
    /// </summary>
    public static void RequireFinite(Tensor samples, string what)
    {
        if (!samples.is_floating_point()) return;
        using var scope = NewDisposeScope();
        var bad = samples.isfinite().logical_not().flatten(1).any(1);
        long count = bad.sum().item<long>();
        if (count == 0) return;
        long first = bad.nonzero()[0, 0].item<long>();
        throw new PluginInputException(
            $"{what}: {count} of {samples.shape[0]} samples hold NaN or infinite values (the first is sample {first}); " +
            "the model's weights or the sampler diverged: check the train stage's loss, and run 'diffusion doctor' to check this machine's CPU kernels");
    }

    /// <summary>
    /// Makes <paramref name="samples"/> the current samples (disposing what the previous ones held that these do not) and
    /// writes them if a modality is named; the modality may read their labels and condition items from the state.
    /// </summary>
    public static void PublishSamples(IRunContext context, GeneratedSamples samples, string? modalityName)
    {
        context.State.Samples = samples;
        if (modalityName is not null)
            context.Component<IModality>(modalityName).WriteSamples(samples.Values, context.StageName, context);
    }
}
