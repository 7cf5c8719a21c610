using System.Text.RegularExpressions;
using Diffusion.Abstractions.Modalities;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>
/// A template for infilling: literal text that is kept exactly, with holes the model fills. <c>{N}</c> is a hole of N tokens,
/// <c>{*}</c> a hole as long as it takes to make the sequence full (at most one). A template that does not end with
/// <c>{*}</c> is a whole entry: [EOS] follows it and [PAD] fills the rest, all kept; one that ends with <c>{*}</c> lets the
/// model decide where the entry ends. <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
internal static partial class InfillTemplate
{
    [GeneratedRegex(@"\{\{|\}\}|\{(\d+|\*)\}")]
    private static partial Regex Part();

    /// <summary>
    /// The token row [L] of <paramref name="template"/> in the tokens of <paramref name="text"/>: fixed ids, and
    /// <paramref name="maskId"/> at the holes.
    /// </summary>
    public static long[] Expand(string template, ITextModality text, int length, int maskId)
    {
        var pieces = new List<(string? Text, int Hole)>(); // Hole: -1 literal, -2 fill, N >= 0 a hole of N
        var literal = new System.Text.StringBuilder();
        int last = 0;
        foreach (Match m in Part().Matches(template))
        {
            literal.Append(template, last, m.Index - last);
            last = m.Index + m.Length;
            if (m.Value == "{{") { literal.Append('{'); continue; }
            if (m.Value == "}}") { literal.Append('}'); continue; }
            if (literal.Length > 0) { pieces.Add((literal.ToString(), -1)); literal.Clear(); }
            pieces.Add((null, m.Groups[1].Value == "*" ? -2 : int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        literal.Append(template, last, template.Length - last);
        if (literal.Length > 0) pieces.Add((literal.ToString(), -1));

        int fills = pieces.Count(p => p.Hole == -2);
        if (fills > 1) throw new PluginInputException($"the infill template \"{template}\" has {fills} '{{*}}' holes; use at most one (and '{{N}}' for holes of N tokens)");
        bool open = pieces.Count > 0 && pieces[^1].Hole == -2;
        var encoded = pieces.Select(p => p.Hole == -1 ? text.Encode(p.Text!) : null).ToList();
        int fixedLength = encoded.Sum(e => e?.Count ?? 0) + pieces.Where(p => p.Hole >= 0).Sum(p => p.Hole) + (open ? 0 : 1);
        if (fixedLength > length)
            throw new PluginInputException($"the infill template \"{template}\" needs {fixedLength} tokens (with [EOS]), more than seq_len {length}; shorten it");

        var row = new List<long>(length);
        for (int i = 0; i < pieces.Count; i++)
        {
            if (encoded[i] is { } ids) row.AddRange(ids.Select(id => (long)id));
            else row.AddRange(Enumerable.Repeat((long)maskId, pieces[i].Hole >= 0 ? pieces[i].Hole : length - fixedLength));
        }
        if (!open) row.Add(text.EndOfText);
        while (row.Count < length) row.Add(text.Pad);
        return [.. row];
    }
}
