using System.Collections.Concurrent;
using Diffusion.Abstractions.Options;

namespace Diffusion.Core.Options;

/// <summary>What kind of YAML value an option property takes.</summary>
internal enum OptionKind
{
    String,
    Bool,
    Int32,
    Int64,
    Single,
    Double,
    Enum,
    List,
    Object,
    Unsupported,
}

/// <summary>
/// The YAML view of a property type: string, bool, int, long, float, double, enums, nullable of those, arrays
/// and lists of option types, and nested options classes (written as maps).
/// </summary>
internal sealed class OptionType
{
    private static readonly ConcurrentDictionary<Type, OptionType> Cache = new();

    private OptionType(Type type, Type core, OptionKind kind, OptionType? element)
    {
        Type = type;
        Core = core;
        Kind = kind;
        Element = element;
        if (kind == OptionKind.Enum)
        {
            EnumValues = Enum.GetValues(core).Cast<Enum>()
                .Select(v => (Name: OptionNames.EnumValueName(v), Value: (object)v)).ToList();
        }
    }

    /// <summary>The declared type.</summary>
    public Type Type { get; }

    /// <summary>The type without <see cref="Nullable{T}"/>.</summary>
    public Type Core { get; }

    public OptionKind Kind { get; }

    /// <summary>The item type of a list.</summary>
    public OptionType? Element { get; }

    /// <summary>True for <see cref="Nullable{T}"/> value types.</summary>
    public bool IsNullableValue => Type != Core;

    /// <summary>The YAML spellings and values of an enum.</summary>
    public IReadOnlyList<(string Name, object Value)> EnumValues { get; } = [];

    /// <summary>The type as listed for users: int, float, bool, string, <c>a|b|c</c>, list of X, map.</summary>
    public string YamlName => Kind switch
    {
        OptionKind.String => "string",
        OptionKind.Bool => "bool",
        OptionKind.Int32 or OptionKind.Int64 => "int",
        OptionKind.Single or OptionKind.Double => "float",
        OptionKind.Enum => string.Join('|', EnumValues.Select(v => v.Name)),
        OptionKind.List => "list of " + Element!.YamlName,
        OptionKind.Object => "map",
        _ => Type.Name,
    };

    /// <summary>What a value must be, as said in an error: "an integer", "one of a|b", ...</summary>
    public string Expected => Kind switch
    {
        OptionKind.String => "a string",
        OptionKind.Bool => "true or false",
        OptionKind.Int32 or OptionKind.Int64 => "an integer",
        OptionKind.Single or OptionKind.Double => "a number",
        OptionKind.Enum => "one of " + YamlName,
        OptionKind.List => "a list of " + Element!.YamlName,
        OptionKind.Object => "a map of options",
        _ => Type.Name,
    };

    public static OptionType Of(Type type) => Cache.GetOrAdd(type, Create);

    private static OptionType Create(Type type)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        if (core == typeof(string))
            return new OptionType(type, core, OptionKind.String, null);
        if (core == typeof(bool))
            return new OptionType(type, core, OptionKind.Bool, null);
        if (core == typeof(int))
            return new OptionType(type, core, OptionKind.Int32, null);
        if (core == typeof(long))
            return new OptionType(type, core, OptionKind.Int64, null);
        if (core == typeof(float))
            return new OptionType(type, core, OptionKind.Single, null);
        if (core == typeof(double))
            return new OptionType(type, core, OptionKind.Double, null);
        if (core.IsEnum)
            return new OptionType(type, core, OptionKind.Enum, null);
        if (ElementTypeOf(core) is { } elementType)
        {
            var element = Of(elementType);
            return new OptionType(type, core, element.Kind == OptionKind.Unsupported ? OptionKind.Unsupported : OptionKind.List, element);
        }
        if (core.IsClass && !core.IsAbstract && core != typeof(object) && core.GetConstructor(Type.EmptyTypes) is not null &&
            !(core.Namespace ?? "").StartsWith("System", StringComparison.Ordinal))
            return new OptionType(type, core, OptionKind.Object, null);
        return new OptionType(type, core, OptionKind.Unsupported, null);
    }

    private static readonly Type[] ListInterfaces =
    [
        typeof(List<>), typeof(IList<>), typeof(IReadOnlyList<>), typeof(ICollection<>),
        typeof(IReadOnlyCollection<>), typeof(IEnumerable<>),
    ];

    private static Type? ElementTypeOf(Type type)
    {
        if (type.IsArray)
            return type.GetArrayRank() == 1 ? type.GetElementType() : null;
        if (type.IsGenericType && ListInterfaces.Contains(type.GetGenericTypeDefinition()))
            return type.GetGenericArguments()[0];
        return null;
    }

    /// <summary>A list of this type holding <paramref name="items"/> (an array or a <see cref="List{T}"/>).</summary>
    public object CreateList(IReadOnlyList<object?> items)
    {
        var elementType = Element!.Type;
        if (Core.IsArray)
        {
            var array = Array.CreateInstance(elementType, items.Count);
            for (int i = 0; i < items.Count; i++)
                array.SetValue(items[i], i);
            return array;
        }
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in items)
            list.Add(item);
        return list;
    }
}
