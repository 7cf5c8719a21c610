using System.Globalization;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Plugins;

namespace Diffusion.Bench.Samplers;

/// <summary>A sampler as the bench names it: <c>NAME</c> or <c>NAME:KEY=VALUE;KEY=VALUE</c> with YAML option keys and values.</summary>
internal static class SamplerBenchOptions
{
    /// <summary>The plugin name and its options object (defaults, then the given values).</summary>
    public static (string Plugin, object Options) Parse(string text, PluginCatalog catalog)
    {
        string[] parts = text.Split(':', 2);
        var plugin = catalog.Find(PluginKind.Sampler, parts[0])
                     ?? throw new ArgumentException($"no sampler plugin named '{parts[0]}'; available: {string.Join(", ", catalog.NamesOf(PluginKind.Sampler))}");
        var options = Activator.CreateInstance(plugin.OptionsType!)!;
        foreach (string setting in parts.Length > 1 ? parts[1].Split(';', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            string[] pair = setting.Split('=', 2);
            var property = plugin.OptionsType!.GetProperties().FirstOrDefault(p => OptionNames.KeyOf(p) == pair[0])
                           ?? throw new ArgumentException($"{parts[0]} has no option '{pair[0]}'");
            property.SetValue(options, Convert(pair[1], property.PropertyType));
        }
        return (parts[0], options);
    }

    private static object Convert(string value, Type type) =>
        type.IsEnum
            ? Enum.GetValues(type).Cast<Enum>().FirstOrDefault(v => OptionNames.EnumValueName(v) == value)
              ?? throw new ArgumentException($"'{value}' is not one of {string.Join(", ", Enum.GetValues(type).Cast<Enum>().Select(OptionNames.EnumValueName))}")
            : System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
}
