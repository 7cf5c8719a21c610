namespace Diffusion.Tracking;

/// <summary>Thrown when a run id prefix matches several runs.</summary>
public sealed class AmbiguousRunIdException : Exception
{
    /// <summary>Creates the exception; the message lists the matches.</summary>
    public AmbiguousRunIdException(string prefix, IReadOnlyList<RunSummary> matches)
        : base(Describe(prefix, matches))
    {
        Prefix = prefix;
        Matches = matches;
    }

    /// <summary>The prefix that was looked up.</summary>
    public string Prefix { get; }

    /// <summary>The runs it matches (possibly not all of them when there are very many).</summary>
    public IReadOnlyList<RunSummary> Matches { get; }

    private static string Describe(string prefix, IReadOnlyList<RunSummary> matches)
    {
        var lines = matches.Select(m => $"  {m.Id}  {m.Name} ({m.Experiment}, {RunStatusText.Of(m.Status)}, started {m.StartTime:u})");
        return $"run id prefix '{prefix}' is ambiguous; it matches:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }
}
