using System.CommandLine;
using System.Text.Json;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Options;
using Diffusion.Core.Plugins;
using Spectre.Console;

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
        if (Terminal.IsInteractive)
        {
            PrintTables(catalog, verbose);
            return;
        }
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

    /// <summary>
    /// On a terminal: a table per kind, each plugin's options (key = default) in grey under its description; the
    /// options' own descriptions with --verbose (and always in redirected output and --json).
    /// </summary>
    private static void PrintTables(PluginCatalog catalog, bool verbose)
    {
        foreach (var group in catalog.All.GroupBy(p => p.Kind))
        {
            var table = Terminal.Table(["name", "assembly", "description and options"]);
            table.Columns[0].NoWrap();
            table.Columns[1].NoWrap();
            table.Title = new TableTitle(Plural(group.Key), new Style(decoration: Decoration.Bold));
            foreach (var plugin in group)
            {
                var lines = new List<string> { Markup.Escape(plugin.Description ?? "") };
                if (verbose) lines.Add($"[grey]from {Markup.Escape(plugin.Source ?? "")}[/]");
                if (plugin.OptionsType is not null)
                {
                    foreach (var option in OptionsDescriber.Describe(plugin.OptionsType))
                    {
                        string text = $"{option.Key} = {option.DefaultValue}" + (verbose && !string.IsNullOrEmpty(option.Description) ? $"   # {option.Description}" : "");
                        lines.Add($"[grey]{Markup.Escape(text)}[/]");
                    }
                }
                table.AddRow(new Markup($"[bold]{Markup.Escape(plugin.Name)}[/]"), new Text($"{plugin.Assembly}\n{plugin.Version}"), new Markup(string.Join('\n', lines)));
            }
            Terminal.Out.Write(table);
            Terminal.Out.WriteLine();
        }
    }
}
