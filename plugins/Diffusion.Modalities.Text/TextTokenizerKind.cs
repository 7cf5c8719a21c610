using Diffusion.Abstractions.Options;

namespace Diffusion.Modalities.Text;

/// <summary>How text becomes tokens.</summary>
public enum TextTokenizerKind
{
    /// <summary>One token per character of the corpus's alphabet.</summary>
    Char,
    /// <summary>GPT-2's byte-level BPE (vocabulary shipped with the plugin, works offline).</summary>
    [OptionName("gpt2")]
    Gpt2,
}
