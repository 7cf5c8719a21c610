namespace Diffusion.Modalities.Text.Tokenizers;

/// <summary>How entries become fixed-length sequences.</summary>
public enum Packing
{
    /// <summary>One entry per sequence: its tokens, [EOS], then [PAD] up to the length; longer entries are cut (the cut loses its [EOS]).</summary>
    Pad,
    /// <summary>All entries end to end, each followed by [EOS], cut into sequences of the length; the last is padded.</summary>
    Pack,
}

/// <summary>Turns token entries into rows of exactly <c>length</c> ids.</summary>
internal static class SequencePacking
{
    /// <summary>The rows [N][length] for <paramref name="entries"/> under <paramref name="packing"/>.</summary>
    public static List<long[]> Build(IEnumerable<int[]> entries, int length, int pad, int endOfText, Packing packing)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var rows = new List<long[]>();
        if (packing == Packing.Pad)
        {
            foreach (var entry in entries)
            {
                var row = new long[length];
                Array.Fill(row, (long)pad);
                int n = Math.Min(entry.Length, length);
                for (int i = 0; i < n; i++) row[i] = entry[i];
                if (n < length) row[n] = endOfText;
                rows.Add(row);
            }
            return rows;
        }
        var stream = new List<long>();
        foreach (var entry in entries)
        {
            foreach (int id in entry) stream.Add(id);
            stream.Add(endOfText);
        }
        for (int start = 0; start < stream.Count; start += length)
        {
            var row = new long[length];
            Array.Fill(row, (long)pad);
            int n = Math.Min(length, stream.Count - start);
            stream.CopyTo(start, row, 0, n);
            rows.Add(row);
        }
        return rows;
    }
}
