using Diffusion.Abstractions.Options;

namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>Which captioned image set <see cref="CaptionedImages"/> loads.</summary>
public enum CaptionedDataset
{
    /// <summary>Built-in RGB shapes captioned with their shape, colour, size and position; needs no files.</summary>
    Shapes,
    /// <summary>Fashion-MNIST with prompts from its class names ("a photo of an ankle boot").</summary>
    [OptionName("fashion-mnist")]
    FashionMnist,
    /// <summary>PNG/JPEG files in one sub-folder per class, with prompts from the folder names.</summary>
    [OptionName("image-folder")]
    ImageFolder,
}
