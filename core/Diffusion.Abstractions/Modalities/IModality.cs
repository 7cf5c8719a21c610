using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Modalities;

/// <summary>
/// One kind of data: where it comes from, how samples are written as artifacts, and how samples are scored.
/// </summary>
public interface IModality
{
    /// <summary>The shape of the items <see cref="Load"/> returns.</summary>
    DataSpec Spec { get; }

    /// <summary>
    /// Loads a split, deterministic for the same options. A user-fixable problem (missing file, bad format)
    /// throws <see cref="PluginInputException"/> with a message that says how to fix it.
    /// </summary>
    ModalityData Load(DataSplit split);

    /// <summary>Writes generated samples (model space, as returned by the sampler) as artifacts named after <paramref name="name"/>.</summary>
    void WriteSamples(Tensor samples, string name, IRunContext context);

    /// <summary>Scores samples against reference data; keys are metric names.</summary>
    IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context);
}
