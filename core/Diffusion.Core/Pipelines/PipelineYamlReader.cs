using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Reads YAML text into <see cref="PipelineNode"/>s with their locations. Works on YamlDotNet's event parser
/// rather than <c>YamlStream</c> so that every duplicate key is reported (YamlStream stops at the first) and
/// a syntax error becomes a located <see cref="PipelineError"/> instead of an exception.
/// </summary>
internal sealed class PipelineYamlReader
{
    private const string StrTag = "tag:yaml.org,2002:str";

    private readonly IParser _parser;
    private readonly Func<Mark, SourceLocation> _locate;
    private readonly PipelineErrors _errors;
    private readonly Dictionary<string, PipelineNode> _anchors = [];
    private Mark _lastEnd = Mark.Empty;
    private readonly List<ParsingEvent> _openFlows = [];
    private readonly Dictionary<string, int> _anchorSizes = [];
    private int _values;
    private int _aliases;
    private int _depth;

    /// <summary>A limit of <see cref="PipelineLimits"/> was passed; reading stops at once.</summary>
    private sealed class LimitExceeded(SourceLocation location, string message) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private PipelineYamlReader(string text, Func<Mark, SourceLocation> locate, PipelineErrors errors)
    {
        _parser = new Parser(new StringReader(text));
        _locate = locate;
        _errors = errors;
    }

    /// <summary>Reads a file's text; <paramref name="ok"/> is false after a syntax error. An empty text gives null.</summary>
    public static PipelineNode? Read(string text, string file, PipelineErrors errors, out bool ok) =>
        Read(text, mark => new SourceLocation(file, (int)mark.Line, (int)mark.Column), errors, out ok);

    /// <summary>Reads text whose marks are mapped to locations by <paramref name="locate"/>.</summary>
    public static PipelineNode? Read(string text, Func<Mark, SourceLocation> locate, PipelineErrors errors, out bool ok)
    {
        int before = errors.Count;
        if (text.Length > PipelineLimits.MaxFileBytes)
        {
            errors.Add(locate(Mark.Empty) with { Line = 1, Column = 1 },
                $"the file holds {text.Length:N0} characters; a pipeline file may hold at most {PipelineLimits.MaxFileBytes:N0} " +
                "(put data in files the pipeline names, not in the pipeline)");
            ok = false;
            return null;
        }
        var reader = new PipelineYamlReader(text, locate, errors);
        var node = reader.ReadStream();
        ok = errors.Count == before;
        return node;
    }

    private PipelineNode? ReadStream()
    {
        try
        {
            Next();
            Expect<StreamStart>();
            Next();
            if (_parser.Current is StreamEnd)
                return null;
            Expect<DocumentStart>();
            Next();
            var node = ReadNode();
            Expect<DocumentEnd>();
            Next();
            if (_parser.Current is DocumentStart another)
                _errors.Add(_locate(another.Start), "a pipeline file holds a single YAML document; remove the second '---'");
            return node is PipelineScalar { IsNull: true } ? null : node;
        }
        catch (LimitExceeded ex)
        {
            _errors.Add(ex.Location, ex.Message);
            return null;
        }
        catch (YamlException ex)
        {
            _errors.Add(_locate(ex.Start), ex.Message);
            if (_openFlows.Count > 0)
            {
                // The parser notices an unclosed '[' or '{' only where the file ends; point at the bracket too.
                var open = _openFlows[^1];
                _errors.Add(_locate(open.Start), $"this '{(open is SequenceStart ? '[' : '{')}' is not closed");
            }
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this on some malformed flow collections (an unclosed '[').
            if (_openFlows.Count > 0)
            {
                var open = _openFlows[^1];
                _errors.Add(_locate(open.Start), $"this '{(open is SequenceStart ? '[' : '{')}' is not closed");
            }
            else
            {
                _errors.Add(_locate(_lastEnd), "invalid YAML after this point");
            }
            return null;
        }
    }

    private void Next()
    {
        if (_parser.Current is { } current)
            _lastEnd = current.End;
        if (!_parser.MoveNext())
            throw new YamlException(_lastEnd, _lastEnd, "unexpected end of YAML");
    }

    private T Expect<T>() where T : ParsingEvent =>
        _parser.Current as T ?? throw new YamlException(_parser.Current!.Start, _parser.Current.End,
            $"unexpected {_parser.Current.GetType().Name} in YAML");

    private PipelineNode ReadNode()
    {
        var current = _parser.Current!;
        var location = _locate(current.Start);
        int valuesBefore = _values;
        if (current is not AnchorAlias)
            Count(location, 1);
        PipelineNode node;
        AnchorName anchor;
        switch (current)
        {
            case Scalar scalar:
                Next();
                bool quoted = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StrTag);
                node = new PipelineScalar(scalar.Value, quoted, location);
                anchor = scalar.Anchor;
                break;
            case AnchorAlias alias:
                Next();
                if (_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    if (++_aliases > PipelineLimits.MaxAliases)
                        throw new LimitExceeded(location,
                            $"more than {PipelineLimits.MaxAliases:N0} aliases ('*name') in one file; write the values out or use 'extends:'");
                    Count(location, _anchorSizes[alias.Value.Value], $"alias '*{alias.Value.Value}'");
                    return target.CloneAt(location);
                }
                _errors.Add(location, $"unknown anchor '*{alias.Value.Value}'");
                return new PipelineScalar("", false, location);
            case SequenceStart start:
                Enter(location);
                Next();
                var sequence = new PipelineSequence(location);
                OpenFlow(start, start.Style == SequenceStyle.Flow);
                while (_parser.Current is not SequenceEnd)
                    sequence.ItemList.Add(ReadNode());
                CloseFlow(start);
                Next();
                node = sequence;
                anchor = start.Anchor;
                _depth--;
                break;
            case MappingStart start:
                Enter(location);
                Next();
                OpenFlow(start, start.Style == MappingStyle.Flow);
                node = ReadMapping(location);
                CloseFlow(start);
                anchor = start.Anchor;
                _depth--;
                break;
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name} in YAML");
        }
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
            _anchorSizes[anchor.Value] = _values - valuesBefore;
        }
        return node;
    }

    /// <summary>Counts values read or expanded, and stops an alias bomb before it is expanded.</summary>
    private void Count(SourceLocation location, int values, string? what = null)
    {
        _values += values;
        if (_values > PipelineLimits.MaxValues)
            throw new LimitExceeded(location, what is null
                ? $"the file holds more than {PipelineLimits.MaxValues:N0} values; a pipeline needs far fewer"
                : $"{what} expands the file past {PipelineLimits.MaxValues:N0} values (aliases nested in aliases grow " +
                  "exponentially); write the values out or use 'extends:'");
    }

    private void Enter(SourceLocation location)
    {
        if (++_depth > PipelineLimits.MaxDepth)
            throw new LimitExceeded(location,
                $"maps and lists nest deeper than {PipelineLimits.MaxDepth} levels here; a pipeline needs a handful");
    }

    private void OpenFlow(ParsingEvent start, bool flow)
    {
        if (flow)
            _openFlows.Add(start);
    }

    private void CloseFlow(ParsingEvent start)
    {
        if (_openFlows.Count > 0 && ReferenceEquals(_openFlows[^1], start))
            _openFlows.RemoveAt(_openFlows.Count - 1);
    }

    private PipelineMap ReadMapping(SourceLocation location)
    {
        var map = new PipelineMap(location);
        while (_parser.Current is not MappingEnd)
        {
            var keyNode = ReadNode();
            var value = ReadNode();
            if (keyNode is not PipelineScalar key)
            {
                _errors.Add(keyNode.Location, "a key must be a plain value, not " + keyNode.Describe());
                continue;
            }
            if (key.Text == "<<" && !key.Quoted)
            {
                _errors.Add(key.Location, "YAML merge keys ('<<') are not supported; use 'extends:' or an anchor per value");
                continue;
            }
            if (map.Find(key.Text) is { } first)
            {
                _errors.Add(key.Location, $"duplicate key '{key.Text}' (first written at line {first.KeyLocation.Line})");
                continue;
            }
            map.Set(key.Text, key.Location, value);
        }
        Next();
        return map;
    }
}
