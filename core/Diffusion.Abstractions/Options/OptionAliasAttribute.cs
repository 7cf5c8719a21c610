namespace Diffusion.Abstractions.Options;

/// <summary>
/// An earlier spelling of an option's key that still binds to the option, so renaming an option does not break the
/// pipelines that use the old key: the host binds the value and warns <c>FILE:LINE:COL: warning: stages.NAME.OLD is
/// deprecated; write NEW</c>. Writing both spellings in one map is an error. When the old key is now also the key of
/// another option of the same class (a base class that took the name over), a map that does not write the new key keeps
/// the old meaning (with the warning), and one that does gives the old key to the other option.
/// </summary>
/// <param name="key">The old YAML key, such as <c>prompts</c>.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public sealed class OptionAliasAttribute(string key) : Attribute
{
    /// <summary>The old YAML key.</summary>
    public string Key { get; } = key;
}
