using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Diffusion.Abstractions.Tests;

/// <summary>
/// Renders the public surface of an assembly (types visible outside it and their public and protected members)
/// as sorted, stable text: one block per type, one line per member, in C#-like signatures with nullability.
/// </summary>
internal static class PublicApi
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                          BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Render(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(TypeHeader(type)).Append('\n');
            foreach (string member in Members(type).Order(StringComparer.Ordinal)) sb.Append("  ").Append(member).Append('\n');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A line diff (longest common subsequence): removed lines start with '-', added with '+', each after its type.</summary>
    public static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);

        var sb = new StringBuilder();
        string header = "", printed = "";
        void Emit(char sign, string line)
        {
            if (line.StartsWith("  ", StringComparison.Ordinal) && header != printed) { sb.Append("  ").Append(header).Append('\n'); printed = header; }
            sb.Append(sign).Append(' ').Append(line).Append('\n');
        }
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                if (!a[x].StartsWith("  ", StringComparison.Ordinal) && a[x].Length > 0) header = a[x];
                x++; y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) Emit('+', b[y++]);
            else Emit('-', a[x++]);
        }
        return sb.ToString();
    }

    private static string TypeHeader(Type type)
    {
        string kind;
        if (type.IsEnum) kind = "enum";
        else if (type.IsInterface) kind = "interface";
        else if (type.IsValueType) kind = type.GetMethod("<Clone>$") is null ? "struct" : "record struct";
        else if (typeof(Delegate).IsAssignableFrom(type)) kind = "delegate";
        else
        {
            string record = type.GetMethod("<Clone>$") is null ? "class" : "record";
            kind = type.IsAbstract && type.IsSealed ? "static " + record
                : type.IsAbstract ? "abstract " + record
                : type.IsSealed ? "sealed " + record
                : record;
        }

        var bases = new List<string>();
        if (type.IsEnum) bases.Add(Name(Enum.GetUnderlyingType(type)));
        else if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && !typeof(Delegate).IsAssignableFrom(type))
            bases.Add(Name(baseType));
        var inherited = type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Where(i => !inherited.Contains(i)).Select(i => Name(i)).Order(StringComparer.Ordinal));

        string name = Name(type, null, qualified: true);
        return bases.Count == 0 ? $"public {kind} {name}" : $"public {kind} {name} : {string.Join(", ", bases)}";
    }

    private static IEnumerable<string> Members(Type type)
    {
        var nullability = new NullabilityInfoContext();
        if (type.IsEnum)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
                yield return $"{field.Name} = {Convert.ToInt64(field.GetRawConstantValue())}";
            yield break;
        }

        foreach (var ctor in type.GetConstructors(Declared).Where(Visible))
            yield return $"{Access(ctor)}.ctor({Parameters(ctor, nullability)})";

        foreach (var method in type.GetMethods(Declared).Where(Visible))
        {
            if (method.Name.StartsWith('<') || (method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal))) continue;
            string generics = method.IsGenericMethodDefinition
                ? "<" + string.Join(", ", method.GetGenericArguments().Select(g => g.Name)) + ">" + Constraints(method.GetGenericArguments())
                : "";
            string constraints = generics.Contains(" where ", StringComparison.Ordinal) ? generics[generics.IndexOf(" where ", StringComparison.Ordinal)..] : "";
            if (constraints.Length > 0) generics = generics[..generics.IndexOf(" where ", StringComparison.Ordinal)];
            string extension = method.IsDefined(typeof(ExtensionAttribute)) ? "this " : "";
            yield return $"{Access(method)}{Modifiers(method, type)}{Name(method.ReturnType, nullability.Create(method.ReturnParameter))} " +
                         $"{method.Name}{generics}({extension}{Parameters(method, nullability)}){constraints}";
        }

        foreach (var property in type.GetProperties(Declared))
        {
            var getter = property.GetMethod is { } g && Visible(g) ? g : null;
            var setter = property.SetMethod is { } s && Visible(s) ? s : null;
            if (getter is null && setter is null) continue;
            var accessor = getter ?? setter!;
            bool init = setter?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true;
            string accessors = (getter is null ? "" : "get; ") + (setter is null ? "" : init ? "init; " : "set; ");
            string indexer = property.GetIndexParameters().Length == 0 ? property.Name
                : "this[" + string.Join(", ", property.GetIndexParameters().Select(p => $"{Name(p.ParameterType, nullability.Create(p))} {p.Name}")) + "]";
            yield return $"{Access(accessor)}{Modifiers(accessor, type)}{Name(property.PropertyType, nullability.Create(property))} {indexer} {{ {accessors}}}";
        }

        foreach (var field in type.GetFields(Declared).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
        {
            string access = field.IsPublic ? "" : "protected ";
            string typeName = Name(field.FieldType, nullability.Create(field));
            if (field.IsLiteral)
                yield return $"{access}const {typeName} {field.Name} = {Literal(field.GetRawConstantValue())}";
            else
                yield return $"{access}{(field.IsStatic ? "static " : "")}{(field.IsInitOnly ? "readonly " : "")}{typeName} {field.Name}";
        }

        foreach (var evt in type.GetEvents(Declared))
        {
            if (evt.AddMethod is { } add && Visible(add))
                yield return $"{Access(add)}{Modifiers(add, type)}event {Name(evt.EventHandlerType!)} {evt.Name}";
        }
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Access(MethodBase m) => m.IsPublic ? "" : "protected ";

    private static string Modifiers(MethodInfo method, Type declaring)
    {
        if (method.IsStatic) return "static ";
        if (declaring.IsInterface) return method.IsAbstract ? "" : "default ";
        if (method.IsAbstract) return "abstract ";
        if (method.IsVirtual && !method.IsFinal)
            return method.GetBaseDefinition().DeclaringType != method.DeclaringType ? "override " : "virtual ";
        if (method.IsVirtual && method.GetBaseDefinition().DeclaringType != method.DeclaringType) return "sealed override ";
        return "";
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability) =>
        string.Join(", ", method.GetParameters().Select(p =>
        {
            string prefix = p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "";
            var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
            string value = p.HasDefaultValue ? " = " + Literal(p.RawDefaultValue) : "";
            return $"{prefix}{Name(type, nullability.Create(p))} {p.Name}{value}";
        }));

    private static string Constraints(Type[] arguments)
    {
        var clauses = new List<string>();
        foreach (var g in arguments)
        {
            var parts = new List<string>();
            var attributes = g.GenericParameterAttributes;
            if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint)) parts.Add("class");
            if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint)) parts.Add("struct");
            parts.AddRange(g.GetGenericParameterConstraints().Where(c => c != typeof(ValueType)).Select(c => Name(c)).Order(StringComparer.Ordinal));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !parts.Contains("struct")) parts.Add("new()");
            if (parts.Count > 0) clauses.Add($" where {g.Name} : {string.Join(", ", parts)}");
        }
        return string.Concat(clauses);
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Name(Type type, NullabilityInfo? nullability = null, bool qualified = true)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Name(underlying, null, qualified) + "?";
        string nullable = !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable ||
                          !type.IsValueType && nullability?.ReadState == NullabilityState.Unknown && nullability.WriteState == NullabilityState.Nullable
            ? "?" : "";
        if (type.IsArray) return Name(type.GetElementType()!, nullability?.ElementType, qualified) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + nullable;
        if (type.IsGenericParameter) return type.Name + nullable;

        string name = (type.IsNested ? Name(type.DeclaringType!, null, qualified) + "." + type.Name
                       : qualified && type.Namespace is { } ns ? ns + "." + type.Name : type.Name);
        if (!type.IsGenericType) return name + nullable;

        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        var arguments = type.GetGenericArguments();
        if (type.IsNested) arguments = arguments.Skip(type.DeclaringType!.GetGenericArguments().Length).ToArray();
        var argumentNullability = nullability?.GenericTypeArguments;
        string args = string.Join(", ", arguments.Select((a, i) => Name(a, argumentNullability is { Length: > 0 } n && n.Length == arguments.Length ? n[i] : null, qualified)));
        return $"{name}<{args}>{nullable}";
    }
}
