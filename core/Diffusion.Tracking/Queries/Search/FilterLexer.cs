namespace Diffusion.Tracking;

/// <summary>
/// Splits a filter or order-by expression into tokens. Bare words start with a letter or '_' and may hold
/// letters, digits, '_', '/' and '-' (so <c>metrics.train/loss</c> needs no quotes); anything else in a
/// name goes in double quotes or backticks. Quotes inside quotes are doubled, as in SQL.
/// </summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string expression)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (true)
        {
            while (i < expression.Length && char.IsWhiteSpace(expression[i]))
            {
                i++;
            }

            if (i >= expression.Length)
            {
                tokens.Add(new FilterToken(FilterTokenKind.End, "", expression.Length, 1));
                return tokens;
            }

            var token = Next(expression, i);
            tokens.Add(token);
            i += token.Length;
        }
    }

    private static FilterToken Next(string s, int start)
    {
        var c = s[start];
        switch (c)
        {
            case '.' when !(start + 1 < s.Length && char.IsAsciiDigit(s[start + 1]) && !FollowsName(s, start)):
                return new FilterToken(FilterTokenKind.Dot, ".", start, 1);
            case ',':
                return new FilterToken(FilterTokenKind.Comma, ",", start, 1);
            case '(':
                return new FilterToken(FilterTokenKind.OpenParen, "(", start, 1);
            case ')':
                return new FilterToken(FilterTokenKind.CloseParen, ")", start, 1);
            case '\'':
                return Quoted(s, start, FilterTokenKind.SingleQuoted, "string");
            case '"':
                return Quoted(s, start, FilterTokenKind.DoubleQuoted, "quoted text");
            case '`':
                return Quoted(s, start, FilterTokenKind.Backticked, "quoted name");
            case '=' or '!' or '<' or '>':
                return Comparison(s, start);
        }

        if (char.IsAsciiDigit(c) || c == '.' || (c is '-' or '+' && start + 1 < s.Length && (char.IsAsciiDigit(s[start + 1]) || s[start + 1] == '.')))
        {
            return Number(s, start);
        }

        if (char.IsLetter(c) || c == '_')
        {
            var end = start + 1;
            while (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] is '_' or '/' or '-'))
            {
                end++;
            }

            return new FilterToken(FilterTokenKind.Word, s[start..end], start, end - start);
        }

        throw new FilterSyntaxException(s, start, 1,
            $"unexpected character '{c}'; names with characters other than letters, digits, '_', '/' and '-' go in double quotes or backticks");
    }

    /// <summary>A '.' right after a name or a closing quote separates name segments, even before a digit (<c>stages.0.steps</c>).</summary>
    private static bool FollowsName(string s, int dot) =>
        dot > 0 && (char.IsLetterOrDigit(s[dot - 1]) || s[dot - 1] is '_' or '"' or '`' or '/' or '-');

    private static FilterToken Quoted(string s, int start, FilterTokenKind kind, string what)
    {
        var quote = s[start];
        var text = new System.Text.StringBuilder();
        var i = start + 1;
        while (i < s.Length)
        {
            if (s[i] == quote)
            {
                if (i + 1 < s.Length && s[i + 1] == quote)
                {
                    text.Append(quote);
                    i += 2;
                    continue;
                }

                return new FilterToken(kind, text.ToString(), start, i + 1 - start);
            }

            text.Append(s[i]);
            i++;
        }

        throw new FilterSyntaxException(s, start, s.Length - start, $"unterminated {what}: add the closing {quote}");
    }

    private static FilterToken Comparison(string s, int start)
    {
        var two = start + 1 < s.Length ? s.Substring(start, 2) : "";
        if (two is "!=" or "<>" or "<=" or ">=" or "==")
        {
            return new FilterToken(FilterTokenKind.Comparison, two, start, 2);
        }

        if (s[start] == '!')
        {
            throw new FilterSyntaxException(s, start, 1, "unexpected '!': write != for 'not equal', or NOT before a condition");
        }

        return new FilterToken(FilterTokenKind.Comparison, s[start].ToString(), start, 1);
    }

    private static FilterToken Number(string s, int start)
    {
        var i = start;
        if (s[i] is '-' or '+')
        {
            i++;
        }

        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits > 0 && i < s.Length && s[i] is 'e' or 'E')
        {
            var exponent = i + 1;
            if (exponent < s.Length && s[exponent] is '-' or '+')
            {
                exponent++;
            }

            if (exponent < s.Length && char.IsAsciiDigit(s[exponent]))
            {
                i = exponent;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
            }
        }

        // A name segment such as `0` in stages.0.steps is a number here; a letter right after digits is not.
        if (digits == 0 || (i < s.Length && (char.IsLetter(s[i]) || s[i] == '_')))
        {
            var end = i;
            while (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] is '_' or '.'))
            {
                end++;
            }

            throw new FilterSyntaxException(s, start, end - start, $"'{s[start..end]}' is not a number");
        }

        return new FilterToken(FilterTokenKind.Number, s[start..i], start, i - start);
    }
}
