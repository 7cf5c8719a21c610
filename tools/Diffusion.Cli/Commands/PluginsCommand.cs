using System.CommandLine;
using System.Text.Json;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Options;
using Diffusion.Core.Plugins;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion plugins [--json] [--verbose] [--path DIR]</c>: every plugin with its options and defaults.</summary>
internal static class PluginsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array (kind, name, assembly, version, source, options)." };
        var verbose = new Option<bool>("--verbose") { Description = "Also show the file each plugin was loaded from." };
        var paths = new Option<string[]>("--path") { Description = "Extra plugin folder to search (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("plugins", "List the plugins the host finds, with their options and defaults.") { json, verbose, paths };
        command.SetAction(result =>
        {
            var catalog = PluginDiscovery.Discover(PluginSource.Defaults(result.GetValue(paths)));
            PipelineOptions.PrintProblems(catalog);
            if (result.GetValue(json)) PrintJson(catalog);
            else PrintText(catalog, result.GetValue(verbose));
            return 0;
        });
        return command;
    }

    private static void PrintJson(PluginCatalog catalog)
    {
        var items = catalog.All.Select(p => new
        {
            kind = p.Kind.ToName(),
            name = p.Name,
            assembly = p.Assembly,
            version = p.Version,
            source = p.Source,
            description = p.Description,
            options = p.OptionsType is null ? [] : OptionsDescriber.Describe(p.OptionsType).Select(o => new
            {
                key = o.Key,
                type = o.TypeName,
                @default = o.DefaultValue,
                description = o.Description,
            }).ToArray(),
        });
        Console.WriteLine(JsonSerializer.Serialize(items, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Plural(PluginKind kind) => kind == PluginKind.Modality ? "modalities" : kind.ToName() + "s";

    private static void PrintText(PluginCatalog catalog, bool verbose)
    {
        foreach (var group in catalog.All.GroupBy(p => p.Kind))
        {
            Console.WriteLine($"{Plural(group.Key)}:");
            foreach (var plugin in group)
            {
                Console.WriteLine($"  {plugin.Name,-18} {plugin.Assembly} {plugin.Version}   {plugin.Description}");
                if (verbose) Console.WriteLine($"  {"",-18} from {plugin.Source}");
                if (plugin.OptionsType is null) continue;
                foreach (var option in OptionsDescriber.Describe(plugin.OptionsType))
                    Console.WriteLine($"      {option.Key}: {option.TypeName} = {option.DefaultValue}{(string.IsNullOrEmpty(option.Description) ? "" : "   # " + option.Description)}");
            }
            Console.WriteLine();
        }
    }
}
