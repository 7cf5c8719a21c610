using Diffusion.Abstractions.Denoisers;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Modalities;

/// <summary>
/// A modality whose items carry text conditions (<see cref="ModalityData.ConditionTokens"/>), such as captioned images for
/// text-to-image: the sample stage turns prompts into condition tokens with it.
/// </summary>
public interface IPromptModality : IModality
{
    /// <summary>
    /// The condition tokens [N, L] (long, 0 = padding, L = <see cref="DataSpec.ConditionLength"/>) of
    /// <paramref name="prompts"/>. A prompt the vocabulary cannot express throws <see cref="Runs.PluginInputException"/>
    /// naming the word and what the vocabulary holds.
    /// </summary>
    Tensor EncodePrompts(IReadOnlyList<string> prompts);

    /// <summary>A prompt that describes class <paramref name="classIndex"/> (for class-cycled text-to-image samples).</summary>
    string ClassPrompt(int classIndex);
}
