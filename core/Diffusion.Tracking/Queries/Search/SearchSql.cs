using System.Globalization;
using System.Text.RegularExpressions;

namespace Diffusion.Tracking;

/// <summary>
/// Compiles parsed filters, orderings and columns to SQL over <c>runs r JOIN experiments e</c>, for every backend:
/// the few places where SQLite and PostgreSQL differ go through a <see cref="SearchDialect"/>. Every value and key
/// the user wrote becomes a bound parameter; only the fixed fragments of this class and the dialect are SQL text.
/// </summary>
/// <remarks>
/// A condition on a param, metric or tag is an EXISTS over that key's row, so a run without the key fails
/// every comparison (including != and NOT IN) and <c>NOT</c> is an exact complement. Numbers compare params
/// by their numeric value (<c>value_num</c>); text compares them as written. Metrics read <c>latest_metrics</c>.
/// </remarks>
internal sealed partial class SearchSql(SearchDialect dialect)
{
    private readonly List<(string Name, object? Value)> _parameters = [];
    private string _text = "";

    /// <summary>The parameters of every fragment compiled so far.</summary>
    public IReadOnlyList<(string Name, object? Value)> Parameters => _parameters;

    /// <summary>The filter as a boolean SQL expression (<c>TRUE</c> for no filter).</summary>
    public string Where(string text, FilterNode? filter)
    {
        _text = text;
        return filter is null ? "TRUE" : Condition(filter);
    }

    /// <summary>ORDER BY keys (without the words ORDER BY), missing values last; empty for none.</summary>
    public string OrderBy(string text, IReadOnlyList<OrderKey> keys)
    {
        _text = text;
        return string.Join(", ", keys.Select(k => k.Field.Kind == FieldKind.Param
            ? dialect.ParamOrder(KeyOf("p", k.Field), k.Descending)
            : $"{SortValue(k.Field)} {(k.Descending ? "DESC" : "ASC")} NULLS LAST"));
    }

    /// <summary>A SELECT expression for a column; read it back with <see cref="ReadColumn"/>.</summary>
    public string Column(FilterField field) => field.Kind switch
    {
        // The type travels with the text ("int:8") so the value reads back typed.
        FieldKind.Param => $"(SELECT p.value_type || ':' || p.value_text FROM params p WHERE {KeyOf("p", field)})",
        // A NaN is stored as NULL: the dialect tells it apart from a missing key.
        FieldKind.Metric => $"(SELECT {dialect.NaNWhereNull($"m.{MetricColumn(field)}")} FROM latest_metrics m WHERE {KeyOf("m", field)})",
        FieldKind.Tag => $"(SELECT t.value FROM tags t WHERE {KeyOf("t", field)})",
        _ => RunAttributes.Get(field.Key).Sql,
    };

    public static object? ReadColumn(FilterField field, object? raw)
    {
        if (raw is null or DBNull)
        {
            return null;
        }

        switch (field.Kind)
        {
            case FieldKind.Param:
                var typed = (string)raw;
                var colon = typed.IndexOf(':', StringComparison.Ordinal);
                return ParamEncoding.Decode(typed[(colon + 1)..], typed[..colon]);
            case FieldKind.Metric:
                return raw is string || (raw is double d && double.IsNaN(d)) ? double.NaN : field.Aggregate is MetricAggregate.Step or MetricAggregate.Count
                    ? Convert.ToInt64(raw, CultureInfo.InvariantCulture)
                    : Convert.ToDouble(raw, CultureInfo.InvariantCulture);
            case FieldKind.Attribute:
                return RunAttributes.Get(field.Key).Type switch
                {
                    AttributeType.Time => UnixTime.From(Convert.ToInt64(raw, CultureInfo.InvariantCulture)),
                    AttributeType.Duration => Convert.ToDouble(raw, CultureInfo.InvariantCulture),
                    AttributeType.Number => Convert.ToInt64(raw, CultureInfo.InvariantCulture),
                    _ => raw,
                };
            default:
                return raw;
        }
    }

    private string Condition(FilterNode node) => node switch
    {
        AndNode and => $"({Condition(and.Left)} AND {Condition(and.Right)})",
        OrNode or => $"({Condition(or.Left)} OR {Condition(or.Right)})",
        NotNode not => $"(NOT {Condition(not.Inner)})",
        ComparisonNode c => Comparison(c),
        InNode i => In(i),
        LikeNode l => Like(l),
        IsNullNode n => IsNull(n),
        _ => throw new InvalidOperationException($"unknown filter node {node.GetType().Name}"),
    };

    private string Comparison(ComparisonNode node)
    {
        var operand = Operand(node.Field, node.Value);
        var value = Bind(operand);
        return node.Field.Kind == FieldKind.Param
            ? Exists(node.Field, $"{(operand is double ? "p.value_num" : "p.value_text")} {node.Operator} {value}")
            : Compare(node.Field, $"{{0}} {node.Operator} {value}");
    }

    /// <summary>
    /// <paramref name="test"/> (with {0} for the value's SQL) applied to a field: inside an EXISTS for keys,
    /// as a 0/1 for attributes (a NULL attribute, such as the end of a running run, fails the test).
    /// </summary>
    private string Compare(FilterField field, string test) => field.Kind switch
    {
        FieldKind.Attribute => $"coalesce({string.Format(CultureInfo.InvariantCulture, test, RunAttributes.Get(field.Key).Sql)}, FALSE)",
        _ => Exists(field, string.Format(CultureInfo.InvariantCulture, test, KeyValue(field))),
    };

    private string In(InNode node)
    {
        var not = node.Negated ? "NOT " : "";
        if (node.Field.Kind == FieldKind.Param)
        {
            // Numbers match the numeric value, text matches the text: IN (8, 'auto') works on either kind of param.
            var operands = node.Values.Select(v => Operand(node.Field, v)).ToList();
            var numbers = operands.OfType<double>().Select(v => Bind(v)).ToList();
            var texts = operands.Where(v => v is not double).Select(v => Bind(v)).ToList();
            var parts = new List<string>();
            if (numbers.Count > 0) parts.Add($"p.value_num IN ({string.Join(", ", numbers)})");
            if (texts.Count > 0) parts.Add($"p.value_text IN ({string.Join(", ", texts)})");
            return Exists(node.Field, $"{not}({string.Join(" OR ", parts)})");
        }

        var list = string.Join(", ", node.Values.Select(v => Bind(Operand(node.Field, v))));
        return Compare(node.Field, $"{{0}} {not}IN ({list})");
    }

    private string Like(LikeNode node)
    {
        var isText = node.Field.Kind is FieldKind.Param or FieldKind.Tag ||
                     (node.Field.Kind == FieldKind.Attribute && RunAttributes.Get(node.Field.Key).Type is AttributeType.Text or AttributeType.Status);
        if (!isText)
        {
            throw Error(node.Field.Start, node.Field.Length, $"LIKE compares text, and {node.Field.Title} is a number; use =, <, > or IN");
        }

        var pattern = (string)node.Pattern.Value;
        var not = node.Negated ? "NOT " : "";
        return Compare(node.Field, dialect.Like(not, node.IgnoreCase, pattern, value => Bind(value)));
    }

    private string IsNull(IsNullNode node)
    {
        if (node.Field.Kind == FieldKind.Attribute)
        {
            return $"({RunAttributes.Get(node.Field.Key).Sql} IS {(node.Negated ? "NOT " : "")}NULL)";
        }

        // A metric whose value is NaN has no value to compare, so it counts as NULL too.
        var present = Exists(node.Field, node.Field.Kind == FieldKind.Metric ? $"m.{MetricColumn(node.Field)} IS NOT NULL" : "TRUE");
        return node.Negated ? present : $"(NOT {present})";
    }

    private string SortValue(FilterField field) => field.Kind switch
    {
        FieldKind.Metric => $"(SELECT m.{MetricColumn(field)} FROM latest_metrics m WHERE {KeyOf("m", field)})",
        FieldKind.Tag => $"(SELECT t.value FROM tags t WHERE {KeyOf("t", field)})",
        _ => RunAttributes.Get(field.Key).Sql,
    };

    private string Exists(FilterField field, string test)
    {
        var (table, alias) = Table(field);
        return $"EXISTS (SELECT 1 FROM {table} {alias} WHERE {KeyOf(alias, field)} AND {test})";
    }

    private string KeyOf(string alias, FilterField field) => $"{alias}.run_id = r.id AND {alias}.key = {Bind(field.Key)}";

    /// <summary>The SQL of a key's value inside its EXISTS (a param's text; numeric comparisons pick value_num themselves).</summary>
    private static string KeyValue(FilterField field) => field.Kind switch
    {
        FieldKind.Metric => $"m.{MetricColumn(field)}",
        FieldKind.Tag => "t.value",
        _ => "p.value_text",
    };

    private static (string Table, string Alias) Table(FilterField field) => field.Kind switch
    {
        FieldKind.Param => ("params", "p"),
        FieldKind.Metric => ("latest_metrics", "m"),
        FieldKind.Tag => ("tags", "t"),
        _ => throw new InvalidOperationException("attributes are columns of runs"),
    };

    private static string MetricColumn(FilterField field) => field.Aggregate switch
    {
        MetricAggregate.Min => "min_value",
        MetricAggregate.Max => "max_value",
        MetricAggregate.Step => "step",
        MetricAggregate.Count => "count",
        _ => "value",
    };

    /// <summary>The value to bind for a literal compared with <paramref name="field"/>, checked against the field's type.</summary>
    private object Operand(FilterField field, FilterLiteral literal)
    {
        switch (field.Kind)
        {
            case FieldKind.Param:
                return literal.Value switch
                {
                    bool b => b ? "true" : "false",
                    var v => v,
                };
            case FieldKind.Tag:
                return literal.Text;
            case FieldKind.Metric:
                return Number(literal, $"{field.Title} is a number");
        }

        var attribute = RunAttributes.Get(field.Key);
        return attribute.Type switch
        {
            AttributeType.Text => literal.Text,
            AttributeType.Status => Status(literal),
            AttributeType.Number => Number(literal, $"{attribute.Name} is a number"),
            AttributeType.Time => literal.Value is double ms ? ms : Time(literal),
            AttributeType.Duration => literal.Value is double seconds ? seconds : Duration(literal),
            _ => throw new InvalidOperationException($"unknown attribute type {attribute.Type}"),
        };
    }

    /// <summary>A new parameter holding <paramref name="value"/>; returns its name.</summary>
    private string Bind(object value)
    {
        var name = $"@f{_parameters.Count}";
        _parameters.Add((name, value));
        return name;
    }

    private double Number(FilterLiteral literal, string what) => literal.Value switch
    {
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw Error(literal.Start, literal.Length, $"{what}: compare it with a number, not {Quote(literal)}"),
    };

    private string Status(FilterLiteral literal)
    {
        string[] statuses = [RunStatusText.Running, RunStatusText.Completed, RunStatusText.Failed, RunStatusText.Killed];
        var status = literal.Text.ToUpperInvariant();
        if (literal.Value is not string || !statuses.Contains(status))
        {
            throw Error(literal.Start, literal.Length,
                $"unknown status {Quote(literal)}{NameSuggestions.DidYouMean(literal.Text, statuses)}; statuses: {string.Join(", ", statuses.Select(s => $"'{s}'"))}");
        }

        return status;
    }

    private double Time(FilterLiteral literal)
    {
        if (literal.Value is string text &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw Error(literal.Start, literal.Length, $"expected a UTC time such as '2026-11-01' or '2026-11-01 14:30' (or unix milliseconds), got {Quote(literal)}");
    }

    /// <summary>'90s', '5m', '1h30m', '1.5h', '2d' or a number of seconds.</summary>
    private double Duration(FilterLiteral literal)
    {
        if (literal.Value is string text)
        {
            var compact = text.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
            if (double.TryParse(compact, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
            {
                return plain;
            }

            var parts = DurationPart().Matches(compact);
            if (parts.Count > 0 && string.Concat(parts.Select(p => p.Value)) == compact)
            {
                return parts.Sum(p => double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) * p.Groups[2].Value switch
                {
                    "d" => 86400,
                    "h" => 3600,
                    "m" => 60,
                    "ms" => 0.001,
                    _ => 1,
                });
            }
        }

        throw Error(literal.Start, literal.Length, $"expected a duration such as 90 (seconds), '90s', '5m' or '1h30m', got {Quote(literal)}");
    }

    private static string Quote(FilterLiteral literal) => literal.Value is string ? $"'{literal.Text}'" : literal.Text;

    private FilterSyntaxException Error(int start, int length, string message) => FilterParser.Error(_text, start, length, message);

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|d|h|m|s)")]
    private static partial Regex DurationPart();
}
