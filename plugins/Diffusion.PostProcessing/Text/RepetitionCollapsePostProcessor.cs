namespace Diffusion.PostProcessing.Text;

/// <summary>
/// Collapses immediately repeated n-grams ("the the cat cat sat" → "the cat sat", "a b a b a b" → "a b"), longest n
/// first, keeping <c>max_repeats</c> copies. On strings it works on whitespace-separated words; on token tensors
/// [B, L] it works on token ids and fills the freed tail with <c>pad_token</c>.
/// </summary>
[Plugin(PluginKind.PostProcessor, "repetition-collapse", Options = typeof(RepetitionCollapseOptions), Description = "Text: collapses immediately repeated n-grams (words in strings, ids in token tensors).")]
public sealed class RepetitionCollapsePostProcessor(RepetitionCollapseOptions options) : IPostProcessor, ITextPostProcessor
{
    /// <inheritdoc />
    public string Process(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return string.Join(" ", Collapse(words, options.MaxN, options.MaxRepeats));
    }

    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context)
    {
        if (samples.dim() != 2 || samples.is_floating_point())
            throw new PluginInputException($"repetition-collapse on tensors needs token ids [B, L] (integers), got {samples.dtype} [{string.Join(", ", samples.shape)}]");
        long b = samples.shape[0], l = samples.shape[1];
        var ids = samples.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var output = new long[ids.Length];
        for (long row = 0; row < b; row++)
        {
            var collapsed = Collapse(ids.AsSpan((int)(row * l), (int)l).ToArray(), options.MaxN, options.MaxRepeats);
            for (long j = 0; j < l; j++) output[row * l + j] = j < collapsed.Count ? collapsed[(int)j] : options.PadToken;
        }
        return tensor(output, [b, l], dtype: ScalarType.Int64).to_type(samples.dtype).to(samples.device);
    }

    /// <summary>Removes repeats beyond <paramref name="maxRepeats"/> consecutive copies of any n-gram with n ≤ <paramref name="maxN"/>.</summary>
    internal static List<T> Collapse<T>(IReadOnlyList<T> tokens, int maxN, int maxRepeats)
    {
        var current = tokens.ToList();
        var comparer = EqualityComparer<T>.Default;
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int n = Math.Min(maxN, current.Count / 2); n >= 1; n--)
            {
                var next = new List<T>(current.Count);
                int i = 0;
                while (i < current.Count)
                {
                    int copies = 1;
                    while (i + (copies + 1) * n <= current.Count && Same(current, i, i + copies * n, n, comparer)) copies++;
                    int kept = Math.Min(copies, maxRepeats);
                    if (copies > 1)
                    {
                        for (int c = 0; c < kept; c++) next.AddRange(current.GetRange(i, n));
                        if (kept < copies) changed = true;
                        i += copies * n;
                    }
                    else
                    {
                        next.Add(current[i]);
                        i++;
                    }
                }
                current = next;
            }
        }
        return current;
    }

    private static bool Same<T>(List<T> tokens, int a, int b, int n, EqualityComparer<T> comparer)
    {
        for (int k = 0; k < n; k++)
            if (!comparer.Equals(tokens[a + k], tokens[b + k])) return false;
        return true;
    }
}
