using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Options;

/// <summary>
/// Binds the keys of a YAML map to a new instance of an options class and validates it, reporting each
/// problem at the key or value it concerns: unknown keys, wrong types, [Range], [Required] and the other
/// DataAnnotations attributes, class-level attributes and <see cref="IValidatableObject"/>, and
/// <see cref="Abstractions.Options.ComponentRefAttribute"/> names. A deprecated key
/// (<see cref="Abstractions.Options.OptionAliasAttribute"/>) binds to its option with a warning that names the new key.
/// </summary>
internal sealed class OptionsBinder
{
    private readonly PipelineErrors _errors;
    private readonly IReadOnlyDictionary<string, PluginKind?> _components;

    /// <param name="errors">Where problems go.</param>
    /// <param name="components">The pipeline's components and their kinds (null when the plugin is unknown).</param>
    public OptionsBinder(PipelineErrors errors, IReadOnlyDictionary<string, PluginKind?> components)
    {
        _errors = errors;
        _components = components;
    }

    /// <summary>
    /// Creates <paramref name="optionsType"/> (its property initializers are the defaults) and binds every key of
    /// <paramref name="map"/> except <paramref name="reserved"/> to it. Returns null only when it cannot be created.
    /// </summary>
    /// <param name="optionsType">The options class.</param>
    /// <param name="map">The component's or stage's map.</param>
    /// <param name="reserved">Keys that are not options (<c>plugin</c>, <c>name</c>, <c>type</c>).</param>
    /// <param name="owner">Names the owner in messages: <c>component 'model' (unet2d)</c>.</param>
    /// <param name="path">The dotted path of the map, as <c>--set</c> writes it (<c>stages.infill.</c>), for warnings.</param>
    /// <param name="ownerLocation">Where problems with keys that are not written are reported.</param>
    public object? Bind(Type optionsType, PipelineMap map, IReadOnlyCollection<string> reserved, string owner, string path, SourceLocation ownerLocation)
    {
        object instance;
        try
        {
            instance = Activator.CreateInstance(optionsType)!;
        }
        catch (Exception ex) when (ex is MissingMethodException or TargetInvocationException or MemberAccessException or ArgumentException or NotSupportedException)
        {
            _errors.Add(ownerLocation, $"{owner}: cannot create options {optionsType.Name}: {(ex.InnerException ?? ex).Message}");
            return null;
        }
        BindInto(instance, map, reserved, path, "", owner, ownerLocation);
        return instance;
    }

    /// <summary>Reports every key of <paramref name="map"/> except <paramref name="reserved"/> as unknown (a plugin without options).</summary>
    public void RejectAll(PipelineMap map, IReadOnlyCollection<string> reserved, string owner)
    {
        foreach (var entry in map.Entries.Where(e => !reserved.Contains(e.Key)))
        {
            _errors.Add(entry.KeyLocation, $"unknown key '{entry.Key}'{Suggestions.DidYouMean(entry.Key, reserved)}: {owner} has no options; valid keys: {string.Join(", ", reserved)}");
        }
    }

    /// <summary>Binds and validates into an existing instance; false when something was wrong.</summary>
    private bool BindInto(object target, PipelineMap map, IReadOnlyCollection<string> reserved, string path, string prefix, string owner, SourceLocation ownerLocation)
    {
        var properties = OptionProperty.Of(target.GetType());
        int before = _errors.Count;
        var written = new Dictionary<OptionProperty, PipelineMapEntry>();
        var failed = new HashSet<OptionProperty>();

        foreach (var entry in map.Entries)
        {
            if (reserved.Contains(entry.Key))
                continue;
            var (property, deprecated) = Resolve(properties, map, entry.Key);
            if (property is null)
            {
                var valid = reserved.Concat(properties.Select(p => p.Key)).ToList();
                _errors.Add(entry.KeyLocation,
                    $"unknown key '{prefix}{entry.Key}'{Suggestions.DidYouMean(entry.Key, valid)} for {owner}; valid keys: {string.Join(", ", valid.Select(k => prefix + k))}");
                continue;
            }
            if (written.TryGetValue(property, out var first))
            {
                string old = entry.Key == property.Key ? first.Key : entry.Key;
                _errors.Add(entry.KeyLocation, $"{prefix}{old} is the deprecated spelling of {prefix}{property.Key}, which is written too: keep only {property.Key}");
                failed.Add(property);
                continue;
            }
            if (deprecated)
                _errors.Warn(entry.KeyLocation, $"{path}{prefix}{entry.Key} is deprecated; write {property.Key}");
            written[property] = entry;
            string key = prefix + property.Key;
            var current = property.Type.Kind == OptionKind.Object ? property.Property.GetValue(target) : null;
            if (TryConvert(entry.Value, property.Type, property.AllowsNull, path, key, owner, current, out var value))
                property.Property.SetValue(target, value);
            else
                failed.Add(property);
        }

        foreach (var property in properties)
        {
            if (failed.Contains(property))
                continue;
            written.TryGetValue(property, out var entry);
            string key = prefix + property.Key;
            var valueLocation = entry?.Value.Location ?? ownerLocation;
            var value = property.Property.GetValue(target);

            // A nested options class that is not written is still checked (its defaults could be invalid).
            if (entry is null && property.Type.Kind == OptionKind.Object && value is not null)
                BindInto(value, new PipelineMap(ownerLocation), [], path, key + ".", owner, ownerLocation);

            if (property.Required is { } required && !IsValid(required, value))
            {
                _errors.Add(valueLocation, entry is null
                    ? $"missing required option '{key}' for {owner}"
                    : $"{key}: a value is required");
                continue;
            }
            if (value is null)
                continue;
            if (property.Range is { } range && !IsValid(range, value))
                _errors.Add(valueLocation, $"{key}: must be in {OptionProperty.FormatRange(range)}, got {(entry?.Value is PipelineScalar writtenText ? writtenText.Text : OptionValues.ToYaml(value))}");

            foreach (var attribute in property.Validations.Where(a => a is not RangeAttribute and not RequiredAttribute))
            {
                var context = new ValidationContext(target) { MemberName = property.Property.Name, DisplayName = key };
                ValidationResult? result;
                try
                {
                    result = attribute.GetValidationResult(value, context);
                }
                catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException or ArgumentException)
                {
                    result = new ValidationResult(ex.Message);
                }
                if (result is not null && result != ValidationResult.Success)
                    _errors.Add(valueLocation, WithKey(key, result.ErrorMessage));
            }

            if (property.ComponentKind is { } kind)
                CheckComponentRefs(value, kind, key, valueLocation, entry);
        }

        if (_errors.Count > before)
            return false;

        // Class-level attributes and IValidatableObject, once the values themselves are fine.
        var results = new List<ValidationResult>();
        try
        {
            Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            results.Add(new ValidationResult($"validation failed: {ex.Message}"));
        }
        foreach (var result in results)
        {
            var location = ownerLocation;
            foreach (var member in result.MemberNames)
            {
                var property = properties.FirstOrDefault(p => p.Property.Name == member);
                if (property is not null && written.TryGetValue(property, out var entry))
                {
                    location = entry.KeyLocation;
                    break;
                }
            }
            _errors.Add(location, prefix.Length > 0 ? WithKey(prefix.TrimEnd('.'), result.ErrorMessage) : result.ErrorMessage ?? "invalid options");
        }
        return _errors.Count == before;
    }

    /// <summary>
    /// The option <paramref name="key"/> binds to, and whether it is a deprecated spelling. An old key keeps its meaning in
    /// a map that does not write the option's new key, even where another option (inherited) now has that key.
    /// </summary>
    private static (OptionProperty? Property, bool Deprecated) Resolve(IReadOnlyList<OptionProperty> properties, PipelineMap map, string key)
    {
        if (properties.FirstOrDefault(p => p.Aliases.Contains(key) && map.Find(p.Key) is null) is { } renamed)
            return (renamed, true);
        if (properties.FirstOrDefault(p => p.Key == key) is { } current)
            return (current, false);
        return (properties.FirstOrDefault(p => p.Aliases.Contains(key)), true);
    }

    /// <summary><c>key: message</c>, unless the message already names the key.</summary>
    private static string WithKey(string key, string? message) =>
        message is null ? $"{key}: invalid value"
        : message.Contains(key, StringComparison.Ordinal) ? message
        : $"{key}: {message}";

    private static bool IsValid(ValidationAttribute attribute, object? value)
    {
        try
        {
            return attribute.IsValid(value);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Converts a node to a property type; false after reporting why it cannot.</summary>
    private bool TryConvert(PipelineNode node, OptionType type, bool allowsNull, string path, string key, string owner, object? current, out object? value)
    {
        value = null;
        if (node is PipelineScalar { IsNull: true })
        {
            if (allowsNull)
                return true;
            return Fail(node, key, type, "null");
        }

        switch (type.Kind)
        {
            case OptionKind.String:
                if (node is not PipelineScalar text)
                    return Fail(node, key, type);
                value = text.Text;
                return true;

            case OptionKind.Bool:
                if (node is PipelineScalar b && (b.Text.Equals("true", StringComparison.OrdinalIgnoreCase) || b.Text.Equals("false", StringComparison.OrdinalIgnoreCase)))
                {
                    value = b.Text.Equals("true", StringComparison.OrdinalIgnoreCase);
                    return true;
                }
                return Fail(node, key, type);

            case OptionKind.Int32 or OptionKind.Int64:
                if (node is not PipelineScalar integer || !OptionValues.TryParseInteger(integer.Text, out long number))
                    return Fail(node, key, type);
                if (type.Kind == OptionKind.Int32)
                {
                    if (number is < int.MinValue or > int.MaxValue)
                    {
                        _errors.Add(node.Location, $"{key}: expected an integer between {int.MinValue} and {int.MaxValue}, got '{integer.Text}'");
                        return false;
                    }
                    value = (int)number;
                }
                else
                {
                    value = number;
                }
                return true;

            case OptionKind.Single or OptionKind.Double:
                if (node is not PipelineScalar real || !OptionValues.TryParseNumber(real.Text, out double d))
                    return Fail(node, key, type);
                value = type.Kind == OptionKind.Single ? (object)(float)d : d;
                return true;

            case OptionKind.Enum:
                if (node is PipelineScalar name && MatchEnum(type, name.Text) is { } member)
                {
                    value = member;
                    return true;
                }
                string hint = node is PipelineScalar s ? Suggestions.DidYouMean(s.Text, type.EnumValues.Select(v => v.Name)) : "";
                _errors.Add(node.Location, $"{key}: expected one of {type.YamlName}, got {node.Describe()}{hint}");
                return false;

            case OptionKind.List:
                if (node is not PipelineSequence list)
                {
                    string write = node is PipelineScalar single ? $" (write [{single.Text}])" : "";
                    _errors.Add(node.Location, $"{key}: expected {type.Expected}, got {node.Describe()}{write}");
                    return false;
                }
                var items = new List<object?>();
                bool ok = true;
                for (int i = 0; i < list.Items.Count; i++)
                {
                    bool itemAllowsNull = !type.Element!.Type.IsValueType || type.Element.IsNullableValue;
                    if (TryConvert(list.Items[i], type.Element, itemAllowsNull, path, $"{key}[{i}]", owner, null, out var item))
                        items.Add(item);
                    else
                        ok = false;
                }
                if (ok)
                    value = type.CreateList(items);
                return ok;

            case OptionKind.Object:
                if (node is not PipelineMap nested)
                    return Fail(node, key, type);
                object instance;
                try
                {
                    instance = current ?? Activator.CreateInstance(type.Core)!;
                }
                catch (Exception ex) when (ex is MissingMethodException or TargetInvocationException or MemberAccessException)
                {
                    _errors.Add(node.Location, $"{key}: cannot create {type.Core.Name}: {(ex.InnerException ?? ex).Message}");
                    return false;
                }
                value = instance;
                return BindInto(instance, nested, [], path, key + ".", owner, nested.Location);

            default:
                _errors.Add(node.Location, $"{key}: the option's type {type.Type.Name} cannot be read from YAML (a bug in the plugin)");
                return false;
        }
    }

    private bool Fail(PipelineNode node, string key, OptionType type, string? got = null)
    {
        _errors.Add(node.Location, $"{key}: expected {type.Expected}, got {got ?? node.Describe()}");
        return false;
    }

    /// <summary>An enum member by YAML spelling or member name, ignoring case and '-' versus '_'.</summary>
    internal static object? MatchEnum(OptionType type, string text)
    {
        foreach (var (name, value) in type.EnumValues)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        string loose = text.Replace('-', '_');
        foreach (var (name, value) in type.EnumValues)
        {
            if (string.Equals(name.Replace('-', '_'), loose, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        return null;
    }

    private void CheckComponentRefs(object value, PluginKind kind, string key, SourceLocation location, PipelineMapEntry? entry)
    {
        switch (value)
        {
            case string name:
                CheckComponentRef(name, kind, key, location);
                break;
            case System.Collections.IEnumerable names:
                int i = 0;
                foreach (var item in names)
                {
                    var itemLocation = entry?.Value is PipelineSequence seq && i < seq.Items.Count ? seq.Items[i].Location : location;
                    if (item is string name)
                        CheckComponentRef(name, kind, $"{key}[{i}]", itemLocation);
                    i++;
                }
                break;
        }
    }

    private void CheckComponentRef(string name, PluginKind kind, string key, SourceLocation location)
    {
        if (name.Length == 0)
            return;
        var ofKind = _components.Where(c => c.Value == kind).Select(c => c.Key).ToList();
        string list = ofKind.Count > 0
            ? $"; {kind.ToName()} components: {string.Join(", ", ofKind)}"
            : $"; the pipeline has no {kind.ToName()} component";
        if (!_components.TryGetValue(name, out var actual))
        {
            // Components whose plugin is unknown may be meant to be of this kind: suggest them too.
            var candidates = _components.Where(c => c.Value is null || c.Value == kind).Select(c => c.Key);
            string hint = Suggestions.DidYouMean(name, candidates);
            _errors.Add(location, $"{key}: unknown component '{name}'{hint}{list}");
            return;
        }
        if (actual is { } actualKind && actualKind != kind)
            _errors.Add(location, $"{key}: component '{name}' is a {actualKind.ToName()}, expected a {kind.ToName()}{list}");
    }
}
