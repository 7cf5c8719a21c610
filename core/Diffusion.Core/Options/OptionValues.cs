using System.Collections;
using System.Globalization;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Options;

/// <summary>Reading YAML scalar text as typed values, and writing typed values as YAML text.</summary>
internal static class OptionValues
{
    /// <summary>An integer as YAML writes it: decimal with an optional sign, <c>0x</c> hex or <c>0o</c> octal.</summary>
    public static bool TryParseInteger(string text, out long value)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return true;
        try
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
            {
                value = Convert.ToInt64(text[2..], 16);
                return true;
            }
            if (text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
            {
                value = Convert.ToInt64(text[2..], 8);
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
        }
        // 1e3 or 1000.0 are fine where an integer is wanted, as long as they are whole numbers.
        if (TryParseNumber(text, out double number) && Math.Floor(number) == number && Math.Abs(number) < 9.2e18)
        {
            value = (long)number;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>A number: integers, decimals, exponents, <c>.inf</c>, <c>-.inf</c>, <c>.nan</c>.</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        text = text.Trim();
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
        }
        if (text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return true;
        if (TryParseIntegerStrict(text, out long integer))
        {
            value = integer;
            return true;
        }
        value = 0;
        return false;
    }

    private static bool TryParseIntegerStrict(string text, out long value)
    {
        value = 0;
        try
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
            {
                value = Convert.ToInt64(text[2..], 16);
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
        }
        return false;
    }

    /// <summary>A value as YAML text: numbers invariant, enums in their YAML spelling, lists as <c>[a, b]</c>.</summary>
    public static string ToYaml(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => FormatString(s),
        Enum e => Diffusion.Abstractions.Options.OptionNames.EnumValueName(e),
        float f => FormatDouble(double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)),
        double d => FormatDouble(d),
        IFormattable n when IsInteger(n) => n.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(ToYamlInFlow)) + "]",
        _ => FormatObject(value),
    };

    private static string ToYamlInFlow(object? value) =>
        value is string s ? FormatString(s, flow: true) : ToYaml(value);

    private static string FormatObject(object value)
    {
        var properties = OptionProperty.Of(value.GetType());
        return "{" + string.Join(", ", properties.Select(p => p.Key + ": " + ToYamlInFlow(p.Property.GetValue(value)))) + "}";
    }

    private static bool IsInteger(object n) => n is int or long or short or byte or sbyte or uint or ulong or ushort;

    /// <summary>A double that reads back the same and looks like a float (<c>1.0</c>, <c>0.0001</c>, <c>.inf</c>).</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsPositiveInfinity(d))
            return ".inf";
        if (double.IsNegativeInfinity(d))
            return "-.inf";
        if (double.IsNaN(d))
            return ".nan";
        string text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    /// <summary>A [Range] limit: numbers as YAML, anything else as its invariant text.</summary>
    public static string FormatLimit(object? limit) => limit switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => limit?.ToString() ?? "",
    };

    /// <summary>A string, quoted when written plain it would read as something else (a number, null, true).</summary>
    public static string FormatString(string s, bool flow = false)
    {
        bool looksTyped = PipelineScalar.IsNullText(s) || s is "true" or "false" or "True" or "False" or "TRUE" or "FALSE" ||
                          TryParseNumber(s, out _);
        return !looksTyped && PipelineYamlWriter.IsPlainSafe(s, flow) && !s.Contains("${", StringComparison.Ordinal)
            ? s
            : PipelineYamlWriter.DoubleQuoted(s.Replace("${", "$${", StringComparison.Ordinal));
    }

    /// <summary>A bound value as a tracking param: long, double, bool or string (enums and lists as YAML text).</summary>
    public static object ToParam(object value) => value switch
    {
        bool or string => value,
        int i => (long)i,
        long l => l,
        float f => double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        double d => d,
        IFormattable n when IsInteger(n) => Convert.ToInt64(n, CultureInfo.InvariantCulture),
        _ => ToYaml(value),
    };
}
