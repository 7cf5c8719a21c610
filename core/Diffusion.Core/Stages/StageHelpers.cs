using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using static TorchSharp.torch;

namespace Diffusion.Core.Stages;

/// <summary>Small pieces the built-in stages share.</summary>
internal static class StageHelpers
{
    /// <summary>The model a train stage left for component <paramref name="name"/>.</summary>
    public static TrainedModel TrainedModel(IRunContext context, string name) =>
        context.State.TryGetValue(StateKeys.ModelPrefix + name, out var value) && value is TrainedModel model
            ? model
            : throw new PluginInputException(
                $"stage '{context.StageName}' needs a trained model for component '{name}', but no earlier stage trained it: add a train stage with model: {name} before this stage");

    /// <summary>The samples an earlier stage produced.</summary>
    public static Tensor Samples(IRunContext context) =>
        context.State.TryGetValue(StateKeys.Samples, out var value) && value is Tensor samples
            ? samples
            : throw new PluginInputException($"stage '{context.StageName}' needs samples, but no earlier stage produced any: add a sample stage before it");

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

    /// <summary>Makes <paramref name="samples"/> the current samples (disposing the previous ones) and writes them if a modality is named.</summary>
    public static void PublishSamples(IRunContext context, Tensor samples, string? modalityName)
    {
        if (context.State.TryGetValue(StateKeys.Samples, out var old) && old is Tensor previous && !ReferenceEquals(previous, samples))
            previous.Dispose();
        context.State[StateKeys.Samples] = samples;
        if (modalityName is not null)
            context.Component<IModality>(modalityName).WriteSamples(samples, context.StageName, context);
    }
}
