namespace Diffusion.Abstractions.Options;

/// <summary>Overrides the YAML spelling of an option property or enum member.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class OptionNameAttribute(string name) : Attribute
{
    /// <summary>The key or value as written in YAML.</summary>
    public string Name { get; } = name;
}
