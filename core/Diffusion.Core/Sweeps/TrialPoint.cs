using System.Globalization;
using System.Text.Json;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// The parameter values of one trial, in the sweep block's order, each as the text of its <c>--set</c>
/// override (<c>stages.train.lr=0.00123</c>). Stored in the sweep's trial row as a JSON object.
/// </summary>
public sealed record TrialPoint(IReadOnlyList<KeyValuePair<string, string>> Values)
{
    /// <summary>The overrides that apply the point: <c>PATH=VALUE</c>.</summary>
    public IEnumerable<string> Overrides => Values.Select(v => $"{v.Key}={v.Value}");

    /// <summary>The value of a path, or null.</summary>
    public string? this[string path] => Values.FirstOrDefault(v => v.Key == path).Value;

    /// <summary>The point as a JSON object of path to value text.</summary>
    public string ToJson() => JsonSerializer.Serialize(Values.ToDictionary(v => v.Key, v => v.Value));

    /// <summary>Reads <see cref="ToJson"/>'s text back, keeping the order of the keys.</summary>
    public static TrialPoint FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new TrialPoint(document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? "")).ToList());
    }

    /// <summary><c>lr=0.00123, batch_size=16</c>: the point in a line (the last segment of each path).</summary>
    public string Describe() => string.Join(", ", Values.Select(v => $"{v.Key[(v.Key.LastIndexOf('.') + 1)..]}={v.Value}"));

    /// <summary>A sampled real number as override text: six significant digits, read back as the same number.</summary>
    internal static string Real(double value) =>
        double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);

    internal static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
