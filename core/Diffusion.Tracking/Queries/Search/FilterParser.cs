using System.Globalization;

namespace Diffusion.Tracking;

/// <summary>
/// Reads the run query language (see docs/tracking.md):
/// <code>
/// filter     := or
/// or         := and ( OR and )*
/// and        := not ( AND not )*
/// not        := NOT not | '(' or ')' | condition
/// condition  := field ( op value | [NOT] IN '(' value ( ',' value )* ')' | [NOT] LIKE|ILIKE string | IS [NOT] NULL )
/// field      := ( params | metrics | tags ) '.' segment ( '.' segment )* | [ attributes '.' ] attribute
/// segment    := word | "quoted" | `quoted`          (a metric's last bare segment may be min, max, last, step, count)
/// value      := number | 'text' | "text" | TRUE | FALSE
/// order-by   := field [ ASC | DESC ] ( ',' field [ ASC | DESC ] )*
/// </code>
/// Keywords are case-insensitive.
/// </summary>
internal sealed class FilterParser
{
    private static readonly string[] ParamPrefixes = ["params", "param"];
    private static readonly string[] MetricPrefixes = ["metrics", "metric"];
    private static readonly string[] TagPrefixes = ["tags", "tag"];

    private readonly string _text;
    private readonly List<FilterToken> _tokens;
    private int _position;

    private FilterParser(string text)
    {
        _text = text;
        _tokens = FilterLexer.Tokenize(text);
    }

    private FilterToken Current => _tokens[_position];

    /// <summary>The filter's tree, or null for an empty filter.</summary>
    /// <exception cref="FilterSyntaxException">The filter cannot be read.</exception>
    public static FilterNode? ParseFilter(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parser = new FilterParser(text);
        var node = parser.Or();
        parser.ExpectEnd("join conditions with AND or OR");
        return node;
    }

    /// <summary>The keys of an order-by list (ascending unless DESC); empty for an empty text.</summary>
    public static List<OrderKey> ParseOrderBy(string? text)
    {
        var keys = new List<OrderKey>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return keys;
        }

        var parser = new FilterParser(text);
        do
        {
            var field = parser.Field();
            var descending = false;
            if (parser.Current.IsWord("DESC") || parser.Current.IsWord("ASC"))
            {
                descending = parser.Current.IsWord("DESC");
                parser.Advance();
            }

            keys.Add(new OrderKey(field, descending));
        }
        while (parser.TryTake(FilterTokenKind.Comma));

        parser.ExpectEnd("separate order-by keys with ',' (e.g. metrics.loss ASC, start_time DESC)");
        return keys;
    }

    /// <summary>A comma-separated list of fields (extra columns to show).</summary>
    public static List<FilterField> ParseFields(string? text)
    {
        var fields = new List<FilterField>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return fields;
        }

        var parser = new FilterParser(text);
        do
        {
            fields.Add(parser.Field());
        }
        while (parser.TryTake(FilterTokenKind.Comma));

        parser.ExpectEnd("separate columns with ','");
        return fields;
    }

    private FilterNode Or()
    {
        var left = And();
        while (Current.IsWord("OR"))
        {
            Advance();
            left = new OrNode(left, And());
        }

        return left;
    }

    private FilterNode And()
    {
        var left = Not();
        while (Current.IsWord("AND"))
        {
            Advance();
            left = new AndNode(left, Not());
        }

        return left;
    }

    private FilterNode Not()
    {
        if (Current.IsWord("NOT"))
        {
            Advance();
            return new NotNode(Not());
        }

        if (Current.Kind == FilterTokenKind.OpenParen)
        {
            var open = Advance();
            var inner = Or();
            if (!TryTake(FilterTokenKind.CloseParen))
            {
                throw Error(Current, $"expected ')' to close the '(' at column {open.Start + 1}, got {Current.Describe()}");
            }

            return inner;
        }

        return Condition();
    }

    private FilterNode Condition()
    {
        var field = Field();
        var token = Current;
        if (token.Kind == FilterTokenKind.Comparison)
        {
            Advance();
            var op = token.Text switch { "==" => "=", "<>" => "!=", var other => other };
            return new ComparisonNode(field, op, Literal($"after '{token.Text}'"));
        }

        if (token.IsWord("IS"))
        {
            Advance();
            var negated = TryTakeWord("NOT");
            if (!TryTakeWord("NULL"))
            {
                throw Error(Current, $"expected NULL after IS{(negated ? " NOT" : "")}, got {Current.Describe()}");
            }

            return new IsNullNode(field, negated);
        }

        var not = TryTakeWord("NOT");
        if (TryTakeWord("IN"))
        {
            return new InNode(field, not, List());
        }

        if (Current.IsWord("LIKE") || Current.IsWord("ILIKE"))
        {
            var ignoreCase = Advance().IsWord("ILIKE");
            var pattern = Literal("after LIKE");
            if (pattern.Value is not string)
            {
                throw Error(pattern, $"LIKE takes a quoted pattern such as '%{pattern.Text}%', got {pattern.Text}");
            }

            return new LikeNode(field, not, ignoreCase, pattern);
        }

        throw Error(Current, not
            ? $"expected IN or LIKE after NOT, got {Current.Describe()}"
            : $"expected a comparison after {field.Title} (=, !=, <, <=, >, >=, IN, LIKE, ILIKE, IS NULL), got {Current.Describe()}");
    }

    private List<FilterLiteral> List()
    {
        if (!TryTake(FilterTokenKind.OpenParen))
        {
            throw Error(Current, $"expected '(' after IN, as in IN ('a', 'b'), got {Current.Describe()}");
        }

        var values = new List<FilterLiteral>();
        do
        {
            values.Add(Literal("in the IN list"));
        }
        while (TryTake(FilterTokenKind.Comma));

        if (!TryTake(FilterTokenKind.CloseParen))
        {
            throw Error(Current, $"expected ',' or ')' in the IN list, got {Current.Describe()}");
        }

        return values;
    }

    private FilterLiteral Literal(string where)
    {
        var token = Current;
        switch (token.Kind)
        {
            case FilterTokenKind.Number:
                Advance();
                return new FilterLiteral(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), token.Text, token.Start, token.Length);
            case FilterTokenKind.SingleQuoted or FilterTokenKind.DoubleQuoted:
                Advance();
                return new FilterLiteral(token.Text, token.Text, token.Start, token.Length);
            case FilterTokenKind.Word when token.IsWord("TRUE") || token.IsWord("FALSE"):
                Advance();
                return new FilterLiteral(token.IsWord("TRUE"), token.Text.ToLowerInvariant(), token.Start, token.Length);
            case FilterTokenKind.Word when token.IsWord("NULL"):
                throw Error(token, "compare with NULL using IS NULL or IS NOT NULL");
            case FilterTokenKind.Word when !IsKeyword(token):
                throw Error(token, $"expected a value {where}: a number or quoted text; write '{token.Text}' for the text {token.Text}");
            default:
                throw Error(token, $"expected a value {where} (a number or 'quoted text'), got {token.Describe()}");
        }
    }

    private FilterField Field()
    {
        var first = Current;
        if (first.Kind != FilterTokenKind.Word || IsKeyword(first))
        {
            throw Error(first, $"expected a field (params.KEY, metrics.KEY, tags.KEY or an attribute: {string.Join(", ", RunAttributes.Names)}), got {first.Describe()}");
        }

        Advance();
        var kind = Matches(first, ParamPrefixes) ? FieldKind.Param
            : Matches(first, MetricPrefixes) ? FieldKind.Metric
            : Matches(first, TagPrefixes) ? FieldKind.Tag
            : (FieldKind?)null;
        if (kind is null)
        {
            return Attribute(first);
        }

        if (!TryTake(FilterTokenKind.Dot))
        {
            throw Error(Current, $"expected '.' and a key after '{first.Text}', as in {first.Text.ToLowerInvariant()}.KEY, got {Current.Describe()}");
        }

        var segments = new List<FilterToken> { Segment() };
        while (TryTake(FilterTokenKind.Dot))
        {
            segments.Add(Segment());
        }

        var aggregate = MetricAggregate.Last;
        if (kind == FieldKind.Metric && segments.Count > 1 && segments[^1].Kind == FilterTokenKind.Word &&
            Enum.TryParse<MetricAggregate>(segments[^1].Text, ignoreCase: true, out var named))
        {
            aggregate = named;
            segments.RemoveAt(segments.Count - 1);
        }

        var last = _tokens[_position - 1];
        return new FilterField(kind.Value, string.Join('.', segments.Select(s => s.Text)), aggregate, first.Start, last.Start + last.Length - first.Start);
    }

    private FilterField Attribute(FilterToken first)
    {
        var name = first;
        if (Matches(first, RunAttributes.Prefixes) && Current.Kind == FilterTokenKind.Dot)
        {
            Advance();
            name = Current;
            if (name.Kind != FilterTokenKind.Word)
            {
                throw Error(name, $"expected an attribute after '{first.Text}.' ({string.Join(", ", RunAttributes.Names)}), got {name.Describe()}");
            }

            Advance();
        }

        if (RunAttributes.Find(name.Text) is not { } attribute)
        {
            var known = RunAttributes.Names.Concat(["params", "metrics", "tags"]);
            throw Error(name,
                $"unknown field '{name.Text}'{NameSuggestions.DidYouMean(name.Text, known)}; fields are params.KEY, metrics.KEY, tags.KEY and the attributes {string.Join(", ", RunAttributes.Names)}");
        }

        return new FilterField(FieldKind.Attribute, attribute.Name, MetricAggregate.Last, first.Start, name.Start + name.Length - first.Start);
    }

    private FilterToken Segment()
    {
        var token = Current;
        var isName = token.Kind is FilterTokenKind.Word or FilterTokenKind.DoubleQuoted or FilterTokenKind.Backticked ||
                     (token.Kind == FilterTokenKind.Number && token.Text.All(c => char.IsAsciiDigit(c) || c == '.'));
        if (!isName)
        {
            throw Error(token, $"expected a key after '.', got {token.Describe()}; quote keys with other characters: \"train/loss rate\" or `train/loss rate`");
        }

        if (token.Text.Length == 0)
        {
            throw Error(token, "a key cannot be empty");
        }

        Advance();
        return token;
    }

    private static bool Matches(FilterToken token, string[] words) =>
        words.Any(w => string.Equals(w, token.Text, StringComparison.OrdinalIgnoreCase));

    private static bool IsKeyword(FilterToken token) =>
        token.Kind == FilterTokenKind.Word &&
        token.Text.ToUpperInvariant() is "AND" or "OR" or "NOT" or "IN" or "LIKE" or "ILIKE" or "IS" or "NULL" or "TRUE" or "FALSE" or "ASC" or "DESC";

    private FilterToken Advance() => _tokens[_position < _tokens.Count - 1 ? _position++ : _position];

    private bool TryTake(FilterTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private bool TryTakeWord(string keyword)
    {
        if (!Current.IsWord(keyword))
        {
            return false;
        }

        Advance();
        return true;
    }

    private void ExpectEnd(string hint)
    {
        if (Current.Kind != FilterTokenKind.End)
        {
            throw Error(Current, Current.Kind == FilterTokenKind.CloseParen
                ? "unexpected ')': there is no '(' for it to close"
                : $"unexpected {Current.Describe()}; {hint}");
        }
    }

    private FilterSyntaxException Error(FilterToken token, string message) => new(_text, token.Start, token.Length, message);

    private FilterSyntaxException Error(FilterLiteral literal, string message) => new(_text, literal.Start, literal.Length, message);

    /// <summary>Used by <see cref="SearchSql"/> to point at a field or value that parsed but does not make sense.</summary>
    public static FilterSyntaxException Error(string text, int start, int length, string message) => new(text, start, length, message);
}
