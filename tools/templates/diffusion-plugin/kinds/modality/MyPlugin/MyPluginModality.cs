using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>Options of <see cref="MyPluginModality"/>: each property is a YAML key (<c>Radius</c> is written <c>radius</c>).</summary>
public sealed class MyPluginOptions
{
    /// <summary>Points in the training split (the test split has a quarter as many).</summary>
    [Range(4, 1_000_000), Description("Points in the training split (the test split has a quarter as many).")]
    public int Count { get; set; } = 2000;

    /// <summary>Radius of the ring.</summary>
    [Range(0.01, 10.0), Description("Radius of the ring.")]
    public double Radius { get; set; } = 0.8;

    /// <summary>Standard deviation of the noise added to each point.</summary>
    [Range(0.0, 1.0), Description("Standard deviation of the noise added to each point.")]
    public double Noise { get; set; } = 0.02;
}

/// <summary>
/// A modality to start from: 2-D points on a noisy ring, made from the options (no files), deterministic for the same
/// options. Samples are written as CSV and scored by how far they are from the ring. Use it in a pipeline as
/// <c>{ plugin: my-plugin, radius: 0.5 }</c> with a denoiser for vectors (such as <c>mlp</c>).
/// </summary>
[Plugin(PluginKind.Modality, "my-plugin", Options = typeof(MyPluginOptions), Description = "2-D points on a noisy ring; CSV samples; ring-distance metrics.")]
public sealed class MyPluginModality(MyPluginOptions options) : IModality
{
    /// <inheritdoc />
    public DataSpec Spec => new("vector", [2]);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        int count = split == DataSplit.Train ? options.Count : Math.Max(1, options.Count / 4);
        using var generator = new Generator(split == DataSplit.Train ? 1UL : 2UL);
        using var scope = NewDisposeScope();
        var angle = rand(count, generator: generator) * (2 * Math.PI);
        var points = stack([angle.cos(), angle.sin()], 1) * options.Radius + randn(count, 2, generator: generator) * options.Noise;
        return new ModalityData(scope.MoveToOuter(points), null, null);
    }

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var values = samples.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        context.Artifacts.Write($"{name}.csv", "samples", stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.WriteLine("x,y");
            for (int i = 0; i + 1 < values.Length; i += 2)
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{values[i]:R},{values[i + 1]:R}"));
        });
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        using var scope = NewDisposeScope();
        var distance = (samples.to_type(ScalarType.Float64).norm(1) - options.Radius).abs();
        return new Dictionary<string, double>
        {
            ["ring_distance"] = distance.mean().item<double>(),
            ["off_ring_fraction"] = (distance > 3 * options.Noise + 0.05).to_type(ScalarType.Float64).mean().item<double>(),
        };
    }
}
