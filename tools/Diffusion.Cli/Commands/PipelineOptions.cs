using System.CommandLine;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Cli.Commands;

/// <summary>The pipeline file argument and <c>--set</c> overrides shared by run and validate, and loading them.</summary>
internal static class PipelineOptions
{
    public static Argument<string> File() => new("file") { Description = "The pipeline YAML file." };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a value: --set dotted.path=value (repeatable), e.g. --set stages.train.steps=100.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// Loads, discovers plugins for, and binds a pipeline; prints its warnings (deprecated keys); on errors prints them all
    /// and returns null.
    /// </summary>
    public static (PipelineSpec? Spec, PluginCatalog? Catalog) Load(string file, IReadOnlyList<string> overrides)
    {
        try
        {
            var document = PipelineLoader.Load(file, overrides);
            var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
            PrintProblems(catalog);
            var spec = PipelineBinder.Bind(document, catalog);
            foreach (var warning in spec.Warnings) Console.Error.WriteLine(warning);
            return (spec, catalog);
        }
        catch (PipelineValidationException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine(error);
            Console.Error.WriteLine($"{e.Errors.Count} error{(e.Errors.Count == 1 ? "" : "s")} in {file}.");
            return (null, null);
        }
    }

    public static void PrintProblems(PluginCatalog catalog)
    {
        foreach (var problem in catalog.Problems) Console.Error.WriteLine($"warning: plugin skipped: {problem}");
    }
}
