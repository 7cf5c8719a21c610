namespace Diffusion.Modalities.CrossModal.ImageToText;

/// <summary>
/// Options of the <c>image-caption</c> modality: the captioned images (dataset, path, image size, ... as for text-to-image)
/// and how the captions become tokens. Fashion-MNIST captions default to the bare class name ("ankle boot"): a caption
/// drawn from several templates by a hash of the item could not be told from the image, so exact-match accuracy would be
/// capped by the templates' share.
/// </summary>
public sealed class ImageCaptionOptions : CaptionedDataOptions
{
    /// <summary>Creates the options with the image-to-text default template, the bare class name.</summary>
    public ImageCaptionOptions() => Templates = [ClassPrompts.Placeholder];

    /// <summary>How captions become tokens: gpt2 (GPT-2 BPE, compact) or char. Default gpt2.</summary>
    [Description("Caption tokens: gpt2 (GPT-2 BPE, keeping only the tokens the captions use) or char (one token per character the captions use).")]
    public TextTokenizerKind Tokenizer { get; set; } = TextTokenizerKind.Gpt2;

    /// <summary>Tokens per caption row (the caption, [EOS], then [PAD]s); every caption must fit. Default 12.</summary>
    [Range(2, 4096), Description("Tokens per caption (caption, [EOS], then [PAD]s); the longest caption of the dataset must fit.")]
    public int SeqLen { get; set; } = 12;

    /// <summary>Condition images shown in the PNG grid written beside the generated captions. Default 64.</summary>
    [Range(0, 10_000), Description("Condition images written as a PNG grid beside the generated captions (in sample order; 0: none).")]
    public int GridImages { get; set; } = 64;
}
