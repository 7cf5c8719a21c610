using System.Reflection;
using System.Text;

namespace Diffusion.Abstractions.Options;

/// <summary>
/// Maps option properties to YAML keys: <c>BaseChannels</c> is written <c>base_channels</c>, unless the
/// property carries <see cref="OptionNameAttribute"/>.
/// </summary>
public static class OptionNames
{
    /// <summary>The YAML key of an options property.</summary>
    public static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<OptionNameAttribute>()?.Name ?? ToSnakeCase(property.Name);

    /// <summary>PascalCase to snake_case (<c>LrWarmupSteps</c> to <c>lr_warmup_steps</c>).</summary>
    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) ||
                                          (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>Enum member to its YAML spelling: <c>ScaledLinear</c> to <c>scaled_linear</c>, unless it carries <see cref="OptionNameAttribute"/>.</summary>
    public static string EnumValueName(Enum value)
    {
        var field = value.GetType().GetField(value.ToString());
        return field?.GetCustomAttribute<OptionNameAttribute>()?.Name ?? ToSnakeCase(value.ToString());
    }
}
