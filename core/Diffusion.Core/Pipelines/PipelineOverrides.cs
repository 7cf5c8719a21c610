using YamlDotNet.Core;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Applies <c>--set PATH=VALUE</c> overrides to a merged tree. Values given this way are located at
/// <c>--set:N:C</c>: N is the 1-based index of the override, C the 1-based column within the argument.
/// </summary>
internal static class PipelineOverrides
{
    /// <summary>The file name of locations of values given on the command line.</summary>
    public const string SourceName = "--set";

    public static void Apply(PipelineMap root, IReadOnlyList<string> overrides, PipelineErrors errors)
    {
        for (int i = 0; i < overrides.Count; i++)
            ApplyOne(root, overrides[i], i + 1, errors);
    }

    private static void ApplyOne(PipelineMap root, string argument, int line, PipelineErrors errors)
    {
        var start = new SourceLocation(SourceName, line, 1);
        int equals = argument.IndexOf('=');
        if (equals <= 0)
        {
            errors.Add(start, $"bad --set '{argument}': expected PATH=VALUE (for example stages.train.steps=100)");
            return;
        }
        string rawPath = argument[..equals];
        string path = rawPath.Trim();
        int pathColumn = rawPath.Length - rawPath.TrimStart().Length + 1;
        var segments = PipelinePaths.Split(path);
        if (segments is null)
        {
            errors.Add(start with { Column = pathColumn }, $"bad --set path '{path}': empty segment");
            return;
        }
        if (segments[0] == "extends")
        {
            errors.Add(start with { Column = pathColumn }, "bad --set path 'extends': extends is applied before overrides and cannot be set");
            return;
        }

        var value = ParseValue(argument[(equals + 1)..], line, equals + 2, errors);
        if (value is null)
            return;

        var parent = PipelinePaths.Walk(root, segments, segments.Length - 1, out string? error);
        if (parent is null)
        {
            errors.Add(start with { Column = pathColumn }, $"bad --set path '{path}': {error}");
            return;
        }
        string last = segments[^1];
        string walked = string.Join('.', segments.Take(segments.Length - 1));
        int lastColumn = pathColumn + path.Length - last.Length;
        switch (parent)
        {
            case PipelineMap map:
                // A key that is not written yet may be added: the binder checks it like any other key.
                map.Set(last, map.Find(last)?.KeyLocation ?? start with { Column = lastColumn }, value);
                break;
            case PipelineSequence sequence:
                int index = PipelinePaths.IndexOf(sequence, last, out _);
                if (index < 0)
                {
                    PipelinePaths.Child(sequence, last, walked, out error);
                    errors.Add(start with { Column = pathColumn }, $"bad --set path '{path}': {error}");
                    return;
                }
                sequence.ItemList[index] = value;
                break;
            default:
                PipelinePaths.Child(parent, last, walked, out error);
                errors.Add(start with { Column = pathColumn }, $"bad --set path '{path}': {error}");
                break;
        }
    }

    /// <summary>
    /// A value after '=': a flow list or map (<c>[1, 2]</c>, <c>{a: 1}</c>) or a quoted string is read as
    /// YAML; anything else is taken as plain text (so <c>description=note: x</c> needs no quotes).
    /// </summary>
    private static PipelineNode? ParseValue(string raw, int line, int column, PipelineErrors errors)
    {
        string text = raw.Trim();
        int valueColumn = column + (raw.Length - raw.TrimStart().Length);
        var location = new SourceLocation(SourceName, line, valueColumn);
        if (text.Length == 0 || text[0] is not ('[' or '{' or '"' or '\''))
            return new PipelineScalar(text, false, location);

        var node = PipelineYamlReader.Read(text, Locate, errors, out bool ok);
        if (!ok)
            return null;
        return node ?? new PipelineScalar("", false, location);

        // The value is one line; a mark past its end (an unclosed '[') is put just after it.
        SourceLocation Locate(Mark mark) =>
            new(SourceName, line, mark.Line == 1 ? valueColumn + (int)mark.Column - 1 : valueColumn + text.Length);
    }
}
