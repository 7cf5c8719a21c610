using System.Text;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Resolves <c>${dotted.path}</c> and <c>${env:NAME,default}</c> in every scalar of a merged tree. A scalar
/// that is exactly one reference takes the referenced value (and its type, or the whole map or list); inside
/// longer text the referenced scalar's text is substituted. <c>$${</c> is a literal <c>${</c>.
/// </summary>
internal sealed class PipelineInterpolation
{
    private readonly PipelineMap _root;
    private readonly PipelineErrors _errors;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<PipelineNode, string> _paths;
    private readonly Dictionary<PipelineScalar, PipelineNode> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<PipelineNode> _done = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<PipelineScalar> _failed = new(ReferenceEqualityComparer.Instance);
    private readonly List<PipelineScalar> _inProgress = [];
    private int _expandedValues;
    private long _expandedChars;
    private bool _overBudget;

    private PipelineInterpolation(PipelineMap root, PipelineErrors errors, Func<string, string?> environment)
    {
        _root = root;
        _errors = errors;
        _environment = environment;
        _paths = PipelinePaths.PathsOf(root);
    }

    /// <summary>Resolves every reference in place.</summary>
    public static void Run(PipelineMap root, PipelineErrors errors, Func<string, string?>? environment = null)
    {
        var interpolation = new PipelineInterpolation(root, errors, environment ?? Environment.GetEnvironmentVariable);
        interpolation.ResolveTree(root);
    }

    private void ResolveTree(PipelineNode node)
    {
        if (!_done.Add(node))
            return;
        switch (node)
        {
            case PipelineMap map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Value is PipelineScalar scalar)
                        entry.Value = Resolve(scalar);
                    else
                        ResolveTree(entry.Value);
                }
                break;
            case PipelineSequence sequence:
                for (int i = 0; i < sequence.ItemList.Count; i++)
                {
                    if (sequence.ItemList[i] is PipelineScalar scalar)
                        sequence.ItemList[i] = Resolve(scalar);
                    else
                        ResolveTree(sequence.ItemList[i]);
                }
                break;
        }
    }

    /// <summary>The value of a scalar with its references resolved (the scalar itself when it has none).</summary>
    private PipelineNode Resolve(PipelineScalar scalar)
    {
        if (_done.Contains(scalar))
            return scalar;
        if (_resolved.TryGetValue(scalar, out var known))
            return known;
        if (_inProgress.Contains(scalar, ReferenceEqualityComparer.Instance))
        {
            var cycle = _inProgress.SkipWhile(s => !ReferenceEquals(s, scalar)).Append(scalar).Select(PathOf);
            _errors.Add(scalar.Location, $"interpolation cycle: {string.Join(" -> ", cycle)}");
            _failed.Add(scalar);
            return scalar;
        }

        _inProgress.Add(scalar);
        var result = Interpolate(scalar);
        _inProgress.RemoveAt(_inProgress.Count - 1);
        _resolved[scalar] = result;
        _done.Add(result);
        return result;
    }

    private PipelineNode Interpolate(PipelineScalar scalar)
    {
        string text = scalar.Text;
        if (!text.Contains('$'))
            return scalar;

        var parts = Parse(scalar);
        if (parts is null)
            return Fail(scalar);
        if (parts.Count == 1 && parts[0].IsReference)
        {
            // The whole scalar is one reference: it takes the referenced value and its type.
            var value = Lookup(scalar, parts[0].Text);
            if (value is null)
                return Fail(scalar);
            // Each whole-value reference copies its target; references to references can double the tree at
            // every level, so the copies share one budget.
            _expandedValues += PipelineLimits.CountValues(value);
            if (_expandedValues > PipelineLimits.MaxValues)
                return OverBudget(scalar, $"references ('${{...}}') expand the pipeline past {PipelineLimits.MaxValues:N0} values");
            var copy = value.CloneAt(scalar.Location);
            MarkDone(copy);
            return copy;
        }

        var sb = new StringBuilder();
        foreach (var part in parts)
        {
            if (!part.IsReference)
            {
                sb.Append(part.Text);
                continue;
            }
            var value = Lookup(scalar, part.Text);
            if (value is null)
                return Fail(scalar);
            if (value is not PipelineScalar valueScalar)
            {
                _errors.Add(scalar.Location, $"'${{{part.Text}}}' is {value.Describe()}; only a single value can be put inside text");
                return Fail(scalar);
            }
            sb.Append(valueScalar.Text);
            _expandedChars += valueScalar.Text.Length;
            if (sb.Length > PipelineLimits.MaxTextLength || _expandedChars > 16L * PipelineLimits.MaxTextLength)
                return OverBudget(scalar, $"interpolation makes the pipeline's text longer than {PipelineLimits.MaxTextLength:N0} characters");
        }
        return new PipelineScalar(sb.ToString(), scalar.Quoted, scalar.Location);
    }

    private PipelineScalar OverBudget(PipelineScalar scalar, string message)
    {
        // Reported once: after the first, every further reference would repeat it.
        if (!_overBudget)
            _errors.Add(scalar.Location, message + "; a pipeline needs far fewer");
        _overBudget = true;
        return Fail(scalar);
    }

    private PipelineScalar Fail(PipelineScalar scalar)
    {
        _failed.Add(scalar);
        return scalar;
    }

    /// <summary>The resolved value a reference names, or null after reporting why not.</summary>
    private PipelineNode? Lookup(PipelineScalar scalar, string reference)
    {
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            string body = reference[4..];
            int comma = body.IndexOf(',');
            string name = (comma < 0 ? body : body[..comma]).Trim();
            string? fallback = comma < 0 ? null : body[(comma + 1)..].Trim();
            if (name.Length == 0)
            {
                _errors.Add(scalar.Location, $"'${{{reference}}}' names no environment variable");
                return null;
            }
            string? value = _environment(name) ?? fallback;
            if (value is null)
            {
                _errors.Add(scalar.Location, $"environment variable '{name}' is not set (write ${{env:{name},DEFAULT}} to give a default)");
                return null;
            }
            return new PipelineScalar(value, false, scalar.Location);
        }

        string path = reference.Trim();
        var segments = PipelinePaths.Split(path);
        if (segments is null)
        {
            _errors.Add(scalar.Location, $"bad interpolation path '{path}'");
            return null;
        }
        var target = PipelinePaths.Walk(_root, segments, segments.Length, out string? error);
        if (target is null)
        {
            _errors.Add(scalar.Location, $"unknown interpolation path '{path}': {error}");
            return null;
        }
        if (target is PipelineScalar targetScalar)
        {
            var resolved = Resolve(targetScalar);
            // The target's own error is reported where it is written; this one follows silently.
            return _failed.Contains(targetScalar) ? null : resolved;
        }
        if (_inProgress.FirstOrDefault(s => Contains(target, s)) is { } inside)
        {
            _errors.Add(scalar.Location, $"interpolation cycle: {PathOf(scalar)} -> {path} (which contains {PathOf(inside)})");
            return null;
        }
        int before = _failed.Count;
        ResolveTree(target);
        return _failed.Count > before && ContainsFailed(target) ? null : target;
    }

    private static bool Contains(PipelineNode node, PipelineNode wanted) => ReferenceEquals(node, wanted) || node switch
    {
        PipelineMap map => map.Entries.Any(e => Contains(e.Value, wanted)),
        PipelineSequence sequence => sequence.Items.Any(i => Contains(i, wanted)),
        _ => false,
    };

    private void MarkDone(PipelineNode node)
    {
        _done.Add(node);
        if (node is PipelineMap map)
        {
            foreach (var entry in map.Entries)
                MarkDone(entry.Value);
        }
        else if (node is PipelineSequence sequence)
        {
            foreach (var item in sequence.Items)
                MarkDone(item);
        }
    }

    private bool ContainsFailed(PipelineNode node) => node switch
    {
        PipelineScalar scalar => _failed.Contains(scalar),
        PipelineMap map => map.Entries.Any(e => ContainsFailed(e.Value)),
        PipelineSequence sequence => sequence.Items.Any(ContainsFailed),
        _ => false,
    };

    private string PathOf(PipelineScalar scalar) => _paths.TryGetValue(scalar, out var path) ? path : scalar.Location.ToString();

    private readonly record struct Part(string Text, bool IsReference);

    /// <summary>Splits text into literal parts and references; null after reporting a malformed reference.</summary>
    private List<Part>? Parse(PipelineScalar scalar)
    {
        string text = scalar.Text;
        var parts = new List<Part>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            if (string.CompareOrdinal(text, i, "$${", 0, 3) == 0)
            {
                literal.Append("${");
                i += 3;
            }
            else if (string.CompareOrdinal(text, i, "${", 0, 2) == 0)
            {
                int close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    _errors.Add(scalar.Location, $"unclosed '${{' in '{text}' (write '$${{' for a literal '${{')");
                    return null;
                }
                string reference = text[(i + 2)..close];
                if (reference.Trim().Length == 0)
                {
                    _errors.Add(scalar.Location, $"empty '${{}}' in '{text}'");
                    return null;
                }
                if (literal.Length > 0)
                {
                    parts.Add(new Part(literal.ToString(), false));
                    literal.Clear();
                }
                parts.Add(new Part(reference, true));
                i = close + 1;
            }
            else
            {
                literal.Append(text[i]);
                i++;
            }
        }
        if (literal.Length > 0 || parts.Count == 0)
            parts.Add(new Part(literal.ToString(), false));
        return parts;
    }
}
