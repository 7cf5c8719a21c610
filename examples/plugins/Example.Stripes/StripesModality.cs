using System.Reflection;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using static TorchSharp.torch;

namespace Example.Stripes;

/// <summary>
/// A procedural image modality: one-channel images of horizontal or vertical stripes with a random phase. No files
/// to download, deterministic for the same options. Sample summaries are written as JSON with Newtonsoft.Json 13.0.1.
/// </summary>
[Plugin(PluginKind.Modality, "stripes", Options = typeof(StripesOptions), Description = "Procedural one-channel images of horizontal or vertical stripes.")]
public sealed class StripesModality(StripesOptions options) : IModality
{
    /// <inheritdoc />
    public DataSpec Spec => new("image", [1, options.ImageSize, options.ImageSize]);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        int count = split == DataSplit.Train ? options.Count : Math.Max(1, options.Count / 2);
        int size = options.ImageSize, period = options.Period;
        var pixels = new float[count * size * size];
        var random = new Random(split == DataSplit.Train ? 1 : 2);
        for (int i = 0; i < count; i++)
        {
            bool vertical = random.Next(2) == 0;
            int phase = random.Next(period);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int along = (vertical ? x : y) + phase;
                    pixels[(i * size + y) * size + x] = along % period < period / 2.0 ? 1f : -1f;
                }
        }
        return new ModalityData(tensor(pixels).reshape(count, 1, size, size), null, null);
    }

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var summary = new
        {
            count = samples.shape[0],
            shape = samples.shape,
            mean = samples.mean().item<float>(),
            std = samples.std().item<float>(),
            stripe_score = StripeScore(samples),
        };
        string json = JsonConvert.SerializeObject(summary, Formatting.Indented);
        context.Artifacts.Write($"{name}/stripes.json", "samples-summary", stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.Write(json);
        });
        context.Logger.LogInformation("stripes: wrote {Name}/stripes.json with Newtonsoft.Json {Version}", name, LibraryVersion);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context) =>
        new Dictionary<string, double>
        {
            ["stripe_score"] = StripeScore(samples),
            ["mean_gap"] = Math.Abs(samples.mean().item<float>() - reference.Items.mean().item<float>()),
        };

    /// <summary>The Newtonsoft.Json this plugin loaded (its own copy, whatever other plugins use).</summary>
    public static string LibraryVersion =>
        typeof(JsonConvert).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    /// <summary>1 when every image changes along one axis only (perfect stripes), near 0 for noise.</summary>
    private static double StripeScore(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var x = samples.to_type(ScalarType.Float32);
        var across = (x[.., .., .., 1..] - x[.., .., .., ..^1]).abs().mean([1, 2, 3]);
        var down = (x[.., .., 1.., ..] - x[.., .., ..^1, ..]).abs().mean([1, 2, 3]);
        return ((across - down).abs() / (across + down + 1e-6)).mean().item<float>();
    }
}
