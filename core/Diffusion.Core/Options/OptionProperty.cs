using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Options;

/// <summary>One option of an options class: a public instance property with a public setter.</summary>
internal sealed class OptionProperty
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<OptionProperty>> Cache = new();

    private OptionProperty(PropertyInfo property, NullabilityInfoContext nullability)
    {
        Property = property;
        Key = OptionNames.KeyOf(property);
        Aliases = property.GetCustomAttributes<OptionAliasAttribute>().Select(a => a.Key).ToList();
        Type = OptionType.Of(property.PropertyType);
        Description = property.GetCustomAttribute<DescriptionAttribute>()?.Description;
        ComponentKind = property.GetCustomAttribute<ComponentRefAttribute>()?.Kind;
        var validations = property.GetCustomAttributes<ValidationAttribute>(inherit: true).ToList();
        Range = validations.OfType<RangeAttribute>().FirstOrDefault();
        Required = validations.OfType<RequiredAttribute>().FirstOrDefault();
        Validations = validations;
        AllowsNull = property.PropertyType.IsValueType
            ? Type.IsNullableValue
            : nullability.Create(property).WriteState != NullabilityState.NotNull;
    }

    public PropertyInfo Property { get; }

    /// <summary>The YAML key (<c>base_channels</c>).</summary>
    public string Key { get; }

    /// <summary>Deprecated spellings of <see cref="Key"/> that still bind (<see cref="OptionAliasAttribute"/>).</summary>
    public IReadOnlyList<string> Aliases { get; }

    public OptionType Type { get; }

    public string? Description { get; }

    /// <summary>Set when the option names a component of this kind.</summary>
    public PluginKind? ComponentKind { get; }

    public RangeAttribute? Range { get; }

    public RequiredAttribute? Required { get; }

    /// <summary>Every validation attribute on the property, Range and Required included.</summary>
    public IReadOnlyList<ValidationAttribute> Validations { get; }

    /// <summary>Whether null may be written (nullable value type, or a reference type not declared non-null).</summary>
    public bool AllowsNull { get; }

    /// <summary>The options of a type, base class first, each class in declaration order.</summary>
    public static IReadOnlyList<OptionProperty> Of(Type optionsType) => Cache.GetOrAdd(optionsType, type =>
    {
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && p.GetSetMethod() is not null && p.GetGetMethod() is not null)
            .OrderBy(p => Depth(p.DeclaringType!))
            .ThenBy(p => p.MetadataToken)
            .Select(p => new OptionProperty(p, nullability))
            .ToList();
    });

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            depth++;
        return depth;
    }

    /// <summary>The range as listed for users: <c>[1, 100]</c>, with <c>(</c> or <c>)</c> for exclusive bounds.</summary>
    public static string FormatRange(RangeAttribute range) =>
        (range.MinimumIsExclusive ? "(" : "[") + OptionValues.FormatLimit(range.Minimum) + ", " +
        OptionValues.FormatLimit(range.Maximum) + (range.MaximumIsExclusive ? ")" : "]");
}
