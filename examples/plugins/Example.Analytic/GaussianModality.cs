using System.Globalization;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Example.Analytic;

/// <summary>
/// Vectors whose coordinates are independent N(mean, std²): the data <c>gaussian-exact</c> is the exact denoiser of.
/// Samples are written as CSV; the metrics are the samples' mean and standard deviation and how far they are from the
/// data's (<c>mean_error</c>, <c>std_ratio</c>).
/// </summary>
[Plugin(PluginKind.Modality, "gaussian", Options = typeof(GaussianDataOptions), Description = "Vectors of independent N(mean, std^2) coordinates; CSV samples; mean/std metrics.")]
public sealed class GaussianModality(GaussianDataOptions options) : IModality
{
    /// <inheritdoc />
    public DataSpec Spec => new("vector", [options.Dimensions]);

    /// <inheritdoc />
    public ModalityData Load(DataSplit split)
    {
        using var generator = new Generator(split == DataSplit.Train ? 1UL : 2UL);
        using var scope = NewDisposeScope();
        var items = randn(options.Count, options.Dimensions, generator: generator) * options.Std + options.Mean;
        return new ModalityData(scope.MoveToOuter(items), null, null);
    }

    /// <inheritdoc />
    public void WriteSamples(Tensor samples, string name, IRunContext context)
    {
        var rows = samples.to_type(ScalarType.Float64).cpu().flatten(1);
        long columns = rows.shape[1];
        var values = rows.data<double>().ToArray();
        context.Artifacts.Write($"{name}.csv", "samples", stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.WriteLine(string.Join(',', Enumerable.Range(0, (int)columns).Select(i => $"x{i}")));
            for (long row = 0; row < values.Length / columns; row++)
                writer.WriteLine(string.Join(',', values.Skip((int)(row * columns)).Take((int)columns).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        });
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context)
    {
        using var scope = NewDisposeScope();
        var values = samples.to_type(ScalarType.Float64);
        double mean = values.mean().item<double>(), std = values.std().item<double>();
        return new Dictionary<string, double>
        {
            ["mean"] = mean,
            ["std"] = std,
            ["mean_error"] = Math.Abs(mean - options.Mean),
            ["std_ratio"] = options.Std > 0 ? std / options.Std : double.NaN,
        };
    }
}
