using System.CommandLine;
using Diffusion.Core.Export;
using Diffusion.Tracking;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion export RUN_ID --format safetensors --out FILE [--stage NAME] [--weights auto|ema|model]</c>: writes a
/// run's trained weights (the EMA weights when it kept them) as one file other tools can read.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var id = CommandLine.Ids(new Argument<string>("run-id") { Description = "The run id (a unique prefix is enough)." });
        var format = new Option<string>("--format")
        {
            Description = "File format; safetensors (readable by PyTorch, diffusers and Python's safetensors).",
            DefaultValueFactory = _ => "safetensors",
        };
        format.AcceptOnlyFromAmong("safetensors");
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var stage = new Option<string?>("--stage") { Description = "The train stage to export (needed when the run has several)." };
        var weights = new Option<string>("--weights")
        {
            Description = "auto: the EMA weights when kept, else the trained ones; ema; model.",
            DefaultValueFactory = _ => "auto",
        };
        weights.AcceptOnlyFromAmong("auto", "ema", "model");
        var lora = new Option<string[]>("--lora")
        {
            Description = "A LoRA adapter file to merge into the weights, as FILE or FILE:WEIGHT (repeatable; docs/lora.md).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("export", "Write a run's trained (EMA) weights from its last checkpoint to a file.") { id, format, output, stage, weights, lora };
        command.SetAction(result =>
        {
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            if (!tracking.Exists)
            {
                Console.Error.WriteLine($"error: {tracking.Location} does not exist: no runs recorded there (pass --db PATH)");
                return CommandLine.InvalidInput;
            }
            RunDetails? run;
            using (var store = tracking.Open())
            {
                try
                {
                    run = store.FindRun(result.GetValue(id)!);
                }
                catch (AmbiguousRunIdException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return CommandLine.InvalidInput;
                }
            }
            if (run is null)
            {
                Console.Error.WriteLine($"error: no run '{result.GetValue(id)}' in {tracking.Location}; 'diffusion runs list' shows the ids");
                return CommandLine.InvalidInput;
            }
            string folder = Path.Combine(CommandLine.ArtifactRootOf(result, run.ArtifactRoot), run.Run.Id);
            string file = result.GetValue(output)!;
            var adapters = new List<(string, double)>();
            foreach (string spec in result.GetValue(lora) ?? [])
            {
                if (LoraArgument(spec) is not { } adapter)
                {
                    Console.Error.WriteLine($"error: --lora {spec}: give FILE or FILE:WEIGHT with a number as WEIGHT, e.g. --lora adapter.safetensors:0.8");
                    return CommandLine.InvalidInput;
                }
                adapters.Add(adapter);
            }
            try
            {
                var exported = WeightsExport.Export(folder, run.Run.Id, result.GetValue(stage), Enum.Parse<ExportedWeights>(result.GetValue(weights)!, ignoreCase: true), file, adapters);
                Console.WriteLine($"wrote {exported.Tensors} tensors ({(exported.Weights == ExportedWeights.Ema ? "EMA" : "trained")} weights of stage '{exported.Stage}' at step {exported.Step}{(adapters.Count > 0 ? $", {adapters.Count} LoRA adapter(s) merged" : "")}) to {file}");
                return 0;
            }
            catch (ExportException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLine.InvalidInput;
            }
        });
        return command;
    }

    /// <summary>FILE or FILE:WEIGHT (the last colon splits when what follows is a number), or null when WEIGHT is not a number.</summary>
    private static (string Path, double Weight)? LoraArgument(string spec)
    {
        int colon = spec.LastIndexOf(':');
        if (colon <= 0 || File.Exists(spec)) return (spec, 1.0);
        return double.TryParse(spec[(colon + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double weight) && double.IsFinite(weight)
            ? (spec[..colon], weight)
            : null;
    }
}
