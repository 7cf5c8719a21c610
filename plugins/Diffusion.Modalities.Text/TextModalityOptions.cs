using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Modalities.Text.Corpora;
using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Modalities.Text;

/// <summary>Options of the <c>text</c> modality.</summary>
public sealed class TextModalityOptions : IValidatableObject
{
    /// <summary>The corpus. Default builtin.</summary>
    [Description("Corpus: builtin (shipped lines), file (text file or folder of *.txt, one entry per line) or fortunes (fortune files).")]
    public TextCorpus Corpus { get; set; } = TextCorpus.Builtin;

    /// <summary>The file or folder of a <c>file</c> or <c>fortunes</c> corpus, relative to the working directory. Fortunes default to Debian's folder.</summary>
    [Description("File or folder of the corpus (file: required; fortunes: default /usr/share/games/fortunes).")]
    [ExistingPath(PathKind.FileOrFolder)]
    public string? Path { get; set; }

    /// <summary>The tokenizer. Default char.</summary>
    [Description("Tokenizer: char (the corpus's characters) or gpt2 (GPT-2 BPE, offline).")]
    public TextTokenizerKind Tokenizer { get; set; } = TextTokenizerKind.Char;

    /// <summary>GPT-2 only: keep just the GPT-2 tokens the corpus uses (renumbered), so small models stay small. Default true.</summary>
    [Description("gpt2 only: keep only the GPT-2 tokens that occur in the corpus (a much smaller vocabulary).")]
    public bool CompactVocab { get; set; } = true;

    /// <summary>Tokens per sequence. Default 48.</summary>
    [Range(2, 65536), Description("Tokens per sequence.")]
    public int SeqLen { get; set; } = 48;

    /// <summary>One entry per sequence (pad) or entries end to end (pack). Default pad.</summary>
    [Description("pad: one entry per sequence, [EOS] then [PAD]s; pack: entries end to end with [EOS] between, cut into sequences.")]
    public Packing Packing { get; set; } = Packing.Pad;

    /// <summary>Fraction of entries held out for the test split, chosen by a hash of each entry's text. Default 0.1.</summary>
    [Range(0.0, 0.9), Description("Fraction of entries held out (test split), chosen by a stable hash of each entry's text.")]
    public double TestFraction { get; set; } = 0.1;

    /// <summary>Drop entries longer than this many characters; 0 keeps all. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Drop entries longer than this many characters (0: keep all).")]
    public int MaxEntryChars { get; set; }

    /// <summary>Use at most this many entries (the first ones); 0 uses all. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Use at most this many entries (0: all).")]
    public int Limit { get; set; }

    /// <summary>Training steps of the small autoregressive model that scores samples (generative perplexity); 0 turns the metric off. Default 300.</summary>
    [Range(0, 1_000_000), Description("Training steps of the autoregressive scorer for gen_ppl (cached by data hash); 0: no gen_ppl.")]
    public int GenPplSteps { get; set; } = 300;

    /// <summary>Width of the autoregressive scorer. Default 64. Set it (with layers, batch and steps) to the diffusion model's to compare with an AR model of the same size.</summary>
    [Range(8, 4096), Description("Width of the autoregressive scorer (gen_ppl); match the diffusion model's to read gen_ppl_heldout as an AR baseline of the same size.")]
    public int GenPplHidden { get; set; } = 64;

    /// <summary>Transformer blocks of the autoregressive scorer. Default 2.</summary>
    [Range(1, 64), Description("Transformer blocks of the autoregressive scorer (gen_ppl).")]
    public int GenPplLayers { get; set; } = 2;

    /// <summary>Attention heads of the autoregressive scorer; must divide its width. Default 4.</summary>
    [Range(1, 64), Description("Attention heads of the autoregressive scorer (gen_ppl); must divide gen_ppl_hidden.")]
    public int GenPplHeads { get; set; } = 4;

    /// <summary>Rows per training step of the autoregressive scorer. Default 32.</summary>
    [Range(1, 65536), Description("Rows per training step of the autoregressive scorer (gen_ppl).")]
    public int GenPplBatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate of the autoregressive scorer. Default 3e-3.</summary>
    [Range(1e-7, 1.0), Description("AdamW learning rate of the autoregressive scorer (gen_ppl).")]
    public double GenPplLr { get; set; } = 3e-3;

    /// <summary>Training entries each sample is compared with for the nearest-match metric. Default 2000.</summary>
    [Range(1, 10_000_000), Description("Training entries compared with each sample for nearest_match.")]
    public int MatchEntries { get; set; } = 2000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GenPplHidden % GenPplHeads != 0)
            yield return new ValidationResult($"gen_ppl_heads ({GenPplHeads}) must divide gen_ppl_hidden ({GenPplHidden})", [nameof(GenPplHeads)]);
        if (Corpus == TextCorpus.File && string.IsNullOrWhiteSpace(Path))
            yield return new ValidationResult("corpus: file needs path: a text file or a folder of *.txt files", [nameof(Path)]);
        if (Corpus == TextCorpus.Builtin && Path is not null)
            yield return new ValidationResult("path is not used by corpus: builtin; set corpus: file or corpus: fortunes", [nameof(Path)]);
    }

    /// <summary>The corpus folder or file to read (fortunes default to Debian's folder).</summary>
    internal string CorpusPath => Path ?? TextCorpora.DebianFortunes;
}
