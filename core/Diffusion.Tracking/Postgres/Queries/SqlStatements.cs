using System.Text;

namespace Diffusion.Tracking;

/// <summary>
/// Splits PostgreSQL SQL text into statements at top-level semicolons, skipping quoted text ('...', "...",
/// E'...', $tag$...$tag$) and comments (-- and nested /* */). Empty statements and comment-only ones are left out.
/// </summary>
internal static class SqlStatements
{
    public static List<string> Split(string sql)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == ';')
            {
                Add(statements, current);
                i++;
                continue;
            }

            var end = SkipToken(sql, i);
            current.Append(sql, i, end - i);
            i = end;
        }

        Add(statements, current);
        return statements;
    }

    /// <summary>The first word of a statement after comments and spaces (empty if none).</summary>
    public static string FirstWord(string statement)
    {
        var text = WithoutComments(statement).TrimStart(' ', '\t', '\r', '\n', '(');
        var length = 0;
        while (length < text.Length && (char.IsLetter(text[length]) || text[length] == '_'))
        {
            length++;
        }

        return text[..length];
    }

    private static void Add(List<string> statements, StringBuilder current)
    {
        var text = current.ToString();
        current.Clear();
        if (WithoutComments(text).Trim().Length > 0)
        {
            statements.Add(text);
        }
    }

    private static string WithoutComments(string text)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var end = SkipToken(text, i);
            var isComment = end - i >= 2 && (text.AsSpan(i, 2).SequenceEqual("--") || text.AsSpan(i, 2).SequenceEqual("/*"));
            result.Append(isComment ? " " : text[i..end]);
            i = end;
        }

        return result.ToString();
    }

    /// <summary>The end of the token at <paramref name="i"/>: a quoted text, a comment, or one character.</summary>
    private static int SkipToken(string sql, int i)
    {
        var c = sql[i];
        if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
        {
            var newline = sql.IndexOf('\n', i);
            return newline < 0 ? sql.Length : newline + 1;
        }

        if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
        {
            var depth = 1;
            var j = i + 2;
            while (j < sql.Length && depth > 0)
            {
                if (sql[j] == '/' && j + 1 < sql.Length && sql[j + 1] == '*') { depth++; j += 2; }
                else if (sql[j] == '*' && j + 1 < sql.Length && sql[j + 1] == '/') { depth--; j += 2; }
                else j++;
            }

            return j;
        }

        if (c is '\'' or '"')
        {
            // E'...' strings allow backslash escapes; a doubled quote is a quote in every kind.
            var escapes = c == '\'' && i > 0 && (sql[i - 1] is 'E' or 'e');
            var j = i + 1;
            while (j < sql.Length)
            {
                if (escapes && sql[j] == '\\') { j += 2; continue; }
                if (sql[j] == c)
                {
                    if (j + 1 < sql.Length && sql[j + 1] == c) { j += 2; continue; }
                    return j + 1;
                }

                j++;
            }

            return sql.Length;
        }

        if (c == '$')
        {
            var close = sql.IndexOf('$', i + 1);
            if (close > i)
            {
                var tag = sql[i..(close + 1)];
                if (tag.Length == 2 || tag[1..^1].All(ch => char.IsLetterOrDigit(ch) || ch == '_') && !char.IsDigit(tag[1]))
                {
                    var end = sql.IndexOf(tag, close + 1, StringComparison.Ordinal);
                    return end < 0 ? sql.Length : end + tag.Length;
                }
            }
        }

        return i + 1;
    }
}
