namespace Diffusion.Tracking;

/// <summary>How a run attribute's values compare.</summary>
internal enum AttributeType
{
    /// <summary>Text (id, name, experiment, parent, message).</summary>
    Text,

    /// <summary>RUNNING, COMPLETED, FAILED or KILLED, in any case.</summary>
    Status,

    /// <summary>A number (seed).</summary>
    Number,

    /// <summary>A moment: unix milliseconds, or a date such as '2026-11-01' or '2026-11-01 14:30' (UTC).</summary>
    Time,

    /// <summary>Seconds, or text such as '90s', '5m', '1h30m'.</summary>
    Duration,
}

/// <summary>An attribute of a run that filters and orderings may name.</summary>
/// <param name="Name">The name written in expressions.</param>
/// <param name="Sql">Its SQL over <c>runs r JOIN experiments e</c>.</param>
/// <param name="Type">How its values compare.</param>
internal sealed record RunAttribute(string Name, string Sql, AttributeType Type);

/// <summary>The run attributes of the query language.</summary>
internal static class RunAttributes
{
    /// <summary>Words that may stand before an attribute's name (<c>attributes.status</c>).</summary>
    public static readonly string[] Prefixes = ["attributes", "attribute", "attr", "run"];

    public static IReadOnlyList<RunAttribute> All { get; } =
    [
        new("id", "r.id", AttributeType.Text),
        new("name", "r.name", AttributeType.Text),
        new("experiment", "e.name", AttributeType.Text),
        new("status", "r.status", AttributeType.Status),
        new("start_time", "r.start_time", AttributeType.Time),
        new("end_time", "r.end_time", AttributeType.Time),
        new("duration", "((r.end_time - r.start_time) / 1000.0)", AttributeType.Duration),
        new("seed", "r.seed", AttributeType.Number),
        new("parent", "r.parent_run_id", AttributeType.Text),
        new("message", "r.message", AttributeType.Text),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["parent_id"] = "parent",
        ["parent_run_id"] = "parent",
        ["run_id"] = "id",
        ["run_name"] = "name",
        ["created"] = "start_time",
    };

    public static IEnumerable<string> Names => All.Select(a => a.Name);

    public static RunAttribute? Find(string name)
    {
        var canonical = Aliases.GetValueOrDefault(name, name);
        return All.FirstOrDefault(a => string.Equals(a.Name, canonical, StringComparison.OrdinalIgnoreCase));
    }

    public static RunAttribute Get(string name) => Find(name) ?? throw new ArgumentException($"no attribute '{name}'", nameof(name));
}
