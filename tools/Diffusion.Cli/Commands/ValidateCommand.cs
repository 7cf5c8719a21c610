using System.CommandLine;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion validate FILE [--set ...]</c>: exit 0 when valid, else every error and exit 2.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = PipelineOptions.File();
        var set = PipelineOptions.Set();
        var command = new Command("validate", "Check a pipeline file against the plugins without running it.") { file, set };
        command.SetAction(result =>
        {
            var (spec, _) = PipelineOptions.Load(result.GetValue(file)!, result.GetValue(set) ?? []);
            if (spec is null) return CommandLine.InvalidInput;
            Console.WriteLine($"{result.GetValue(file)}: ok ({spec.Components.Count} components, {spec.Stages.Count} stages: {string.Join(", ", spec.Stages.Select(s => s.Name))})");
            return 0;
        });
        return command;
    }
}
