namespace Diffusion.Core.Options;

/// <summary>Lists the options of an options class with their types and defaults.</summary>
public static class OptionsDescriber
{
    /// <summary>The options of <paramref name="optionsType"/>, base class first, in declaration order.</summary>
    public static IReadOnlyList<OptionInfo> Describe(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var list = new List<OptionInfo>();
        Describe(optionsType, CreateOrNull(optionsType), "", list, depth: 0);
        return list;
    }

    private static void Describe(Type type, object? defaults, string prefix, List<OptionInfo> list, int depth)
    {
        foreach (var property in OptionProperty.Of(type))
        {
            object? value = null;
            bool known = defaults is not null;
            if (known)
            {
                try
                {
                    value = property.Property.GetValue(defaults);
                }
                catch (System.Reflection.TargetInvocationException)
                {
                    known = false;
                }
            }
            string key = prefix + property.Key;
            if (property.Type.Kind == OptionKind.Object && depth < 8)
            {
                Describe(property.Type.Core, value ?? CreateOrNull(property.Type.Core), key + ".", list, depth + 1);
                continue;
            }
            list.Add(new OptionInfo(
                key,
                property.Type.YamlName,
                known ? OptionValues.ToYaml(value) : null,
                property.Description,
                property.Required is not null,
                property.Range is { } range ? OptionProperty.FormatRange(range) : null,
                property.ComponentKind));
        }
    }

    private static object? CreateOrNull(Type type)
    {
        try
        {
            return Activator.CreateInstance(type);
        }
        catch (Exception ex) when (ex is MissingMethodException or System.Reflection.TargetInvocationException or MemberAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Every option of a bound options object as (dotted path, long/double/bool/string), nulls left out.</summary>
    internal static void Flatten(object options, string prefix, List<KeyValuePair<string, object>> into, int depth = 0)
    {
        foreach (var property in OptionProperty.Of(options.GetType()))
        {
            var value = property.Property.GetValue(options);
            if (value is null)
                continue;
            string key = prefix + property.Key;
            if (property.Type.Kind == OptionKind.Object && depth < 8)
                Flatten(value, key + ".", into, depth + 1);
            else
                into.Add(new KeyValuePair<string, object>(key, OptionValues.ToParam(value)));
        }
    }
}
