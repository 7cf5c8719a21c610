namespace Diffusion.PostProcessing.Text;

/// <summary>Options of <see cref="RepetitionCollapsePostProcessor"/>.</summary>
public sealed class RepetitionCollapseOptions
{
    /// <summary>Longest repeated n-gram looked for. Default 4.</summary>
    [Range(1, 64), Description("Longest repeated n-gram (in words or tokens) that is collapsed.")]
    public int MaxN { get; set; } = 4;

    /// <summary>Copies of a repeated n-gram kept in a row. Default 1.</summary>
    [Range(1, 100), Description("Consecutive copies of an n-gram kept.")]
    public int MaxRepeats { get; set; } = 1;

    /// <summary>Token id that fills the positions freed at the end of a token sequence. Default 0.</summary>
    [Range(0, int.MaxValue), Description("Token id that fills freed positions at the end of token tensors (your pad or end-of-text id).")]
    public int PadToken { get; set; }
}
