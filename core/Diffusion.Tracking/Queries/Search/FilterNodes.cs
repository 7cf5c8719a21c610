namespace Diffusion.Tracking;

/// <summary>What a field of a filter refers to.</summary>
internal enum FieldKind
{
    Param,
    Metric,
    Tag,
    Attribute,
}

/// <summary>Which summary of a metric a field reads: the last value (default), the smallest, the largest, the last step or the count.</summary>
internal enum MetricAggregate
{
    Last,
    Min,
    Max,
    Step,
    Count,
}

/// <summary>A field such as <c>params.lr</c>, <c>metrics."train/loss".min</c>, <c>tags.note</c> or <c>status</c>.</summary>
/// <param name="Kind">Params, metrics, tags or a run attribute.</param>
/// <param name="Key">The param, metric or tag key, or the attribute's name.</param>
/// <param name="Aggregate">For metrics, which summary.</param>
/// <param name="Start">Where it starts in the expression.</param>
/// <param name="Length">How long it is as written.</param>
internal sealed record FilterField(FieldKind Kind, string Key, MetricAggregate Aggregate, int Start, int Length)
{
    /// <summary>The field as a column title: <c>params.lr</c>, <c>metrics.train/loss.min</c>, <c>status</c>.</summary>
    public string Title => Kind switch
    {
        FieldKind.Param => $"params.{Key}",
        FieldKind.Tag => $"tags.{Key}",
        FieldKind.Metric => Aggregate == MetricAggregate.Last ? $"metrics.{Key}" : $"metrics.{Key}.{Aggregate.ToString().ToLowerInvariant()}",
        _ => Key,
    };
}

/// <summary>A literal value of a filter.</summary>
/// <param name="Value">A <see cref="double"/>, a <see cref="string"/> or a <see cref="bool"/>.</param>
/// <param name="Text">The value as written (without quotes).</param>
/// <param name="Start">Where it starts in the expression.</param>
/// <param name="Length">How long it is as written.</param>
internal sealed record FilterLiteral(object Value, string Text, int Start, int Length);

/// <summary>A node of a parsed filter.</summary>
internal abstract record FilterNode;

internal sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode;

internal sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode;

internal sealed record NotNode(FilterNode Inner) : FilterNode;

/// <summary><c>field op value</c> with op one of = != &lt; &lt;= &gt; &gt;=.</summary>
internal sealed record ComparisonNode(FilterField Field, string Operator, FilterLiteral Value) : FilterNode;

/// <summary><c>field [NOT] IN (v1, v2, ...)</c>.</summary>
internal sealed record InNode(FilterField Field, bool Negated, IReadOnlyList<FilterLiteral> Values) : FilterNode;

/// <summary><c>field [NOT] LIKE|ILIKE 'pattern'</c>; LIKE is case-sensitive, ILIKE is not.</summary>
internal sealed record LikeNode(FilterField Field, bool Negated, bool IgnoreCase, FilterLiteral Pattern) : FilterNode;

/// <summary><c>field IS [NOT] NULL</c>: the key or attribute is absent (or present).</summary>
internal sealed record IsNullNode(FilterField Field, bool Negated) : FilterNode;

/// <summary>One key of an order-by list.</summary>
internal sealed record OrderKey(FilterField Field, bool Descending);
