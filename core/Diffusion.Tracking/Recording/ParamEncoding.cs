using System.Collections;
using System.Globalization;
using System.Text;

namespace Diffusion.Tracking;

/// <summary>
/// How param values are stored and read back: integers as <c>int</c> (read as <see cref="long"/>), other numbers
/// as <c>float</c> (read as <see cref="double"/>), <c>bool</c>, and everything else as text: enums in snake_case,
/// lists and dictionaries as JSON-like text such as <c>[1, 2]</c>.
/// </summary>
internal static class ParamEncoding
{
    public const string Int = "int";
    public const string Float = "float";
    public const string Bool = "bool";
    public const string String = "string";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static EncodedParam Encode(object? value) => value switch
    {
        null => new("null", null, String),
        bool b => new(b ? "true" : "false", b ? 1 : 0, Bool),
        sbyte or byte or short or ushort or int or uint or long => Integer(Convert.ToInt64(value, Invariant)),
        ulong u when u <= long.MaxValue => Integer((long)u),
        ulong u => new(u.ToString(Invariant), u, Float),
        // Through the float's own shortest text, so 0.1f is stored as 0.1 and not 0.10000000149011612.
        float f => Real(double.Parse(f.ToString(Invariant), Invariant)),
        Half h => Real(double.Parse(h.ToString(Invariant), Invariant)),
        double d => Real(d),
        decimal m => new(m.ToString(Invariant), (double)m, Float),
        _ => new(Text(value), null, String),
    };

    public static object Decode(string text, string type) => type switch
    {
        Int => long.Parse(text, Invariant),
        Float => double.Parse(text, NumberStyles.Float, Invariant),
        Bool => text == "true",
        _ => text,
    };

    /// <summary><c>ScaledLinear</c> → <c>scaled_linear</c>, <c>DDIMSampler</c> → <c>ddim_sampler</c>.</summary>
    public static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var wordStart = char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next));
                if (wordStart)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static EncodedParam Integer(long value) => new(value.ToString(Invariant), value, Int);

    private static EncodedParam Real(double value) =>
        new(value.ToString("R", Invariant), double.IsNaN(value) ? null : value, Float);

    private static string Text(object value) => value switch
    {
        string s => s,
        Enum e => SnakeCase(e.ToString()),
        IDictionary or IEnumerable => Element(value),
        _ => Scalar(value),
    };

    /// <summary>A value inside a list or dictionary: strings quoted, numbers and bools bare, JSON-style.</summary>
    private static string Element(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => Quote(s),
        char c => Quote(c.ToString()),
        Enum e => Quote(SnakeCase(e.ToString())),
        IDictionary dictionary => "{" + string.Join(", ", Entries(dictionary).Select(e => $"{Quote(Scalar(e.Key))}: {Element(e.Value)}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Element)) + "]",
        float or double or decimal or Half => Encode(value).Text,
        _ when IsNumber(value) => Scalar(value),
        _ => Quote(Scalar(value)),
    };

    /// <summary>Through the non-generic enumerator: a generic dictionary enumerates KeyValuePairs otherwise.</summary>
    private static IEnumerable<DictionaryEntry> Entries(IDictionary dictionary)
    {
        var entries = dictionary.GetEnumerator();
        while (entries.MoveNext())
        {
            yield return entries.Entry;
        }
    }

    private static string Scalar(object value) => value switch
    {
        DateTime t => t.ToString("O", Invariant),
        DateTimeOffset t => t.ToString("O", Invariant),
        _ => Convert.ToString(value, Invariant) ?? string.Empty,
    };

    private static bool IsNumber(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong;

    private static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append($"\\u{(int)c:x4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
