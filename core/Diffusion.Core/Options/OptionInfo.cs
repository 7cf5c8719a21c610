using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Options;

/// <summary>One option of a plugin, as <c>diffusion plugins</c> lists it.</summary>
/// <param name="Key">The YAML key; options of nested option classes are dotted (<c>ema.decay</c>).</param>
/// <param name="TypeName">The YAML type: <c>int</c>, <c>float</c>, <c>bool</c>, <c>string</c>, enum values <c>a|b|c</c>, <c>list of X</c>.</param>
/// <param name="DefaultValue">The default as YAML text (<c>null</c> when there is none); null when the options class cannot be created.</param>
/// <param name="Description">From <see cref="System.ComponentModel.DescriptionAttribute"/>.</param>
/// <param name="Required">True when the option carries <see cref="System.ComponentModel.DataAnnotations.RequiredAttribute"/>.</param>
/// <param name="Range">From <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/>: <c>[1, 100]</c>; a parenthesis marks an exclusive bound.</param>
/// <param name="ComponentKind">Set when the value names a component of this kind.</param>
public sealed record OptionInfo(
    string Key,
    string TypeName,
    string? DefaultValue,
    string? Description,
    bool Required,
    string? Range,
    PluginKind? ComponentKind);
