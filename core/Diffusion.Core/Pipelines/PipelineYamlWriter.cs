using System.Globalization;
using System.Text;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Writes a pipeline tree back as block-style YAML that reads back to the same values: lists of plain values
/// are written in flow style (<c>[1, 2]</c>), quoted values stay quoted, and a literal <c>${</c> is written
/// <c>$${</c> so that loading the text again does not interpolate it.
/// </summary>
internal static class PipelineYamlWriter
{
    public static string Write(PipelineNode root)
    {
        var sb = new StringBuilder();
        switch (root)
        {
            case PipelineMap { Entries.Count: > 0 } map:
                WriteMap(sb, map, 0);
                break;
            case PipelineSequence { Items.Count: > 0 } sequence when !IsFlowList(sequence):
                WriteSequence(sb, sequence, 0);
                break;
            default:
                sb.Append(Inline(root)).Append('\n');
                break;
        }
        return sb.ToString();
    }

    private static void WriteMap(StringBuilder sb, PipelineMap map, int indent)
    {
        foreach (var entry in map.Entries)
        {
            sb.Append(' ', indent).Append(Scalar(entry.Key, quoted: false, flow: false, isKey: true)).Append(':');
            WriteValue(sb, entry.Value, indent);
        }
    }

    /// <summary>Writes what follows <c>key:</c>: an inline value, or a nested block on the next lines.</summary>
    private static void WriteValue(StringBuilder sb, PipelineNode value, int indent)
    {
        switch (value)
        {
            case PipelineMap { Entries.Count: > 0 } map:
                sb.Append('\n');
                WriteMap(sb, map, indent + 2);
                break;
            case PipelineSequence { Items.Count: > 0 } sequence when !IsFlowList(sequence):
                sb.Append('\n');
                WriteSequence(sb, sequence, indent + 2);
                break;
            default:
                sb.Append(' ').Append(Inline(value)).Append('\n');
                break;
        }
    }

    private static void WriteSequence(StringBuilder sb, PipelineSequence sequence, int indent)
    {
        foreach (var item in sequence.Items)
        {
            switch (item)
            {
                case PipelineMap { Entries.Count: > 0 } map:
                    // The first key goes on the dash line; the others line up under it.
                    var nested = new StringBuilder();
                    WriteMap(nested, map, indent + 2);
                    sb.Append(' ', indent).Append("- ").Append(nested.ToString(indent + 2, nested.Length - indent - 2));
                    break;
                case PipelineSequence { Items.Count: > 0 } inner when !IsFlowList(inner):
                    var block = new StringBuilder();
                    WriteSequence(block, inner, indent + 2);
                    sb.Append(' ', indent).Append("- ").Append(block.ToString(indent + 2, block.Length - indent - 2));
                    break;
                default:
                    sb.Append(' ', indent).Append("- ").Append(Inline(item)).Append('\n');
                    break;
            }
        }
    }

    private static bool IsFlowList(PipelineSequence sequence) => sequence.Items.All(i => i is PipelineScalar);

    /// <summary>A value on one line: a scalar, <c>{}</c>, <c>[]</c> or a flow list of scalars.</summary>
    private static string Inline(PipelineNode node) => node switch
    {
        PipelineScalar scalar => Scalar(scalar.Text, scalar.Quoted, flow: false, isKey: false),
        PipelineMap => "{}",
        PipelineSequence sequence => "[" + string.Join(", ", sequence.Items.Select(i =>
            i is PipelineScalar s ? Scalar(s.Text, s.Quoted, flow: true, isKey: false) : Inline(i))) + "]",
        _ => throw new InvalidOperationException("unknown node"),
    };

    /// <summary>A scalar: plain when it reads back the same, double-quoted otherwise.</summary>
    internal static string Scalar(string text, bool quoted, bool flow, bool isKey)
    {
        string escaped = text.Replace("${", "$${", StringComparison.Ordinal);
        if (!quoted && !isKey && PipelineScalar.IsNullText(text))
            return "null";
        if (!quoted && IsPlainSafe(escaped, flow) && !(isKey && PipelineScalar.IsNullText(text)))
            return escaped;
        return DoubleQuoted(escaped);
    }

    /// <summary>Whether text can be written unquoted and read back as the same text.</summary>
    internal static bool IsPlainSafe(string text, bool flow)
    {
        if (text.Length == 0 || text != text.Trim())
            return false;
        if ("[]{},#&*!|>'\"%@`".Contains(text[0]))
            return false;
        if (text[0] is '-' or '?' or ':' && (text.Length == 1 || text[1] == ' '))
            return false;
        if (text.StartsWith("---", StringComparison.Ordinal) || text.StartsWith("...", StringComparison.Ordinal))
            return false;
        if (text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal) || text.EndsWith(':'))
            return false;
        foreach (char c in text)
        {
            if (char.IsControl(c) || c == '\uFEFF')
                return false;
            if (flow && c is ',' or '[' or ']' or '{' or '}')
                return false;
        }
        return true;
    }

    internal static string DoubleQuoted(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || c == '\uFEFF')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
