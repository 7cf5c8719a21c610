namespace Diffusion.Tracking;

/// <summary>What kind of token a <see cref="FilterToken"/> is.</summary>
internal enum FilterTokenKind
{
    /// <summary>A bare word: a name segment or a keyword (AND, OR, NOT, IN, LIKE, ILIKE, IS, NULL, TRUE, FALSE, ASC, DESC).</summary>
    Word,

    /// <summary>A name in backticks.</summary>
    Backticked,

    /// <summary>Text in double quotes: a name after a dot, a string value elsewhere.</summary>
    DoubleQuoted,

    /// <summary>Text in single quotes: a string value.</summary>
    SingleQuoted,

    Number,
    Dot,
    Comma,
    OpenParen,
    CloseParen,

    /// <summary>A comparison: = == != &lt;&gt; &lt; &lt;= &gt; &gt;=.</summary>
    Comparison,

    End,
}

/// <summary>One token of a filter, with its place in the expression.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Text">For quoted tokens the unquoted text; otherwise the text as written.</param>
/// <param name="Start">Its first character (0-based).</param>
/// <param name="Length">How many characters it spans as written (quotes included).</param>
internal sealed record FilterToken(FilterTokenKind Kind, string Text, int Start, int Length)
{
    public bool IsWord(string keyword) => Kind == FilterTokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>How the token reads in a message.</summary>
    public string Describe() => Kind switch
    {
        FilterTokenKind.End => "the end of the expression",
        FilterTokenKind.SingleQuoted => $"'{Text}'",
        FilterTokenKind.DoubleQuoted => $"\"{Text}\"",
        FilterTokenKind.Backticked => $"`{Text}`",
        _ => $"'{Text}'",
    };
}
