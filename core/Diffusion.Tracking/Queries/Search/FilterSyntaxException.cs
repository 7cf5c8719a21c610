namespace Diffusion.Tracking;

/// <summary>
/// A filter or order-by expression that cannot be read. <see cref="Exception.Message"/> says what was expected;
/// <see cref="Render"/> shows the expression with a caret under the offending token.
/// </summary>
public sealed class FilterSyntaxException : Exception
{
    /// <summary>Creates the exception for the token at <paramref name="start"/> (0-based, <paramref name="length"/> characters).</summary>
    public FilterSyntaxException(string expression, int start, int length, string message)
        : base(message)
    {
        Expression = expression;
        Start = Math.Clamp(start, 0, expression.Length);
        Length = Math.Max(1, length);
    }

    /// <summary>Which part of a search the expression was: <c>filter</c>, <c>order-by</c> or <c>columns</c>; null when not said.</summary>
    public string? Clause { get; private init; }

    /// <summary>The whole expression as the user wrote it.</summary>
    public string Expression { get; }

    /// <summary>Where the offending token starts (0-based; the expression's length for its end).</summary>
    public int Start { get; }

    /// <summary>The offending token's length (at least 1).</summary>
    public int Length { get; }

    /// <summary>The same error, said to be in <paramref name="clause"/>.</summary>
    internal FilterSyntaxException In(string clause) => new(Expression, Start, Length, Message) { Clause = clause };

    /// <summary>
    /// The message, then the expression (indented by <paramref name="indent"/>) and a line of carets under the
    /// offending token, e.g.
    /// <code>
    /// expected a value after '&lt;', got AND
    ///   metrics.loss &lt; AND status = 'COMPLETED'
    ///                  ^^^
    /// </code>
    /// </summary>
    public string Render(string indent = "  ")
    {
        // One line only: tabs and line breaks become spaces so the caret stays under its token.
        var line = new string(Expression.Select(c => char.IsWhiteSpace(c) ? ' ' : c).ToArray());
        var carets = new string('^', Math.Min(Length, Math.Max(1, line.Length - Start)));
        return $"{Message}{Environment.NewLine}{indent}{line}{Environment.NewLine}{indent}{new string(' ', Start)}{carets}";
    }
}
