using System.CommandLine;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion validate FILE... [--set ...]</c>: checks each file (the overrides apply to every one); exit 0 when all
/// are valid, else every error of every file and exit 2.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "The pipeline YAML files.", Arity = ArgumentArity.OneOrMore };
        var set = PipelineOptions.Set();
        var command = new Command("validate", "Check pipeline files against the plugins without running them.") { files, set };
        command.SetAction(result =>
        {
            int invalid = 0;
            foreach (string file in result.GetValue(files)!)
            {
                var (spec, _) = PipelineOptions.Load(file, result.GetValue(set) ?? []);
                if (spec is null)
                {
                    invalid++;
                    continue;
                }
                Console.WriteLine($"{file}: ok ({spec.Components.Count} components, {spec.Stages.Count} stages: {string.Join(", ", spec.Stages.Select(s => s.Name))})");
            }
            return invalid == 0 ? 0 : CommandLine.InvalidInput;
        });
        return command;
    }
}
