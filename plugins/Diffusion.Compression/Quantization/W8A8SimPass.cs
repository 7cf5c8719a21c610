using Diffusion.Abstractions.Samplers;

namespace Diffusion.Compression.Quantization;

/// <summary>
/// Simulated W8A8 integer inference, to predict the quality of an int8 deployment: weights are fake-quantized to int8
/// per output channel, and every linear and convolution input is fake-quantized to uint8 per tensor with a range
/// calibrated on the denoiser inputs of a whole sampling run (every timestep of the trajectory, as Q-Diffusion and
/// PTQ4DM calibrate, since activation ranges drift with the timestep). The network stays float32; its outputs are what
/// integer kernels would compute, up to accumulation rounding.
/// </summary>
[Plugin(PluginKind.Compression, "w8a8-sim", Options = typeof(W8A8SimOptions),
    Description = "Simulated int8 weights and activations; activation ranges calibrated over the whole sampling trajectory.")]
public sealed class W8A8SimPass(W8A8SimOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        var trained = ModelLookup.For(model, context, "w8a8-sim");
        var layers = WeightLayers.Find(model, options.Exclude);
        var ranges = Calibrate(model, trained, layers, context);

        using (no_grad())
        {
            foreach (var layer in layers)
            {
                using var scope = NewDisposeScope();
                layer.Weight.copy_(WeightQuantizer.Int8PerChannel(layer.Weight).Decoded);
            }
        }
        foreach (var layer in layers)
        {
            if (!ranges.TryGetValue(layer.Name, out var range)) continue; // never called while sampling
            var (scale, zeroPoint) = Uint8Affine(range.Low, range.High);
            ((nn.Module<Tensor, Tensor>)layer.Module).register_forward_pre_hook((_, x) => FakeQuantize(x, scale, zeroPoint));
        }
        context.Logger.LogInformation("w8a8-sim: {Layers} layers with int8 weights, {Calibrated} with uint8 inputs calibrated over {Steps} steps x {Samples} samples ({Range})",
            layers.Count, ranges.Count, options.CalibrationSteps, options.CalibrationSamples, OptionNames.EnumValueName(options.Range));
        return model;
    }

    /// <summary>Scale and zero point of an asymmetric uint8 grid covering [low, high] (and 0, so zero is exact).</summary>
    internal static (double Scale, long ZeroPoint) Uint8Affine(double low, double high)
    {
        low = Math.Min(low, 0);
        high = Math.Max(high, 0);
        double scale = Math.Max(high - low, 1e-8) / 255.0;
        long zeroPoint = Math.Clamp((long)Math.Round(-low / scale), 0, 255);
        return (scale, zeroPoint);
    }

    /// <summary>Rounds x to the uint8 grid (scale, zero point) and back; values outside the range saturate.</summary>
    internal static Tensor FakeQuantize(Tensor x, double scale, long zeroPoint) =>
        ((x / scale).round() + zeroPoint).clamp(0, 255).sub(zeroPoint).mul(scale);

    private Dictionary<string, (double Low, double High)> Calibrate(DenoiserModule model, TrainedModel trained, List<WeightLayer> layers, IRunContext context)
    {
        var ranges = new Dictionary<string, (double Low, double High)>(StringComparer.Ordinal);
        var removers = new List<Action>();
        foreach (var layer in layers)
        {
            string name = layer.Name;
            removers.Add(((nn.Module<Tensor, Tensor>)layer.Module).register_forward_pre_hook((_, x) =>
            {
                var (low, high) = Observe(x);
                ranges[name] = ranges.TryGetValue(name, out var seen) ? (Math.Min(seen.Low, low), Math.Max(seen.High, high)) : (low, high);
                return x;
            }).remove);
        }
        var sampler = context.Component<ISampler>(options.Sampler);
        bool training = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var generators = context.GeneratorsFor(0, options.CalibrationSamples, "w8a8-calibration");
            var noise = generators.Randn(trained.Data.ItemShape, context.Device);
            sampler.Sample(noise, new SamplingContext(trained, options.CalibrationSteps, generators) { Cancellation = context.Cancellation });
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(training);
        }
        return ranges;
    }

    private (double Low, double High) Observe(Tensor x)
    {
        using var scope = NewDisposeScope();
        var flat = x.detach().flatten().to_type(ScalarType.Float32);
        if (options.Range == ActivationRange.MinMax) return (flat.min().item<float>(), flat.max().item<float>());
        var sorted = flat.sort().Values;
        long n = sorted.shape[0];
        long hi = (long)Math.Round(options.Percentile * (n - 1)), lo = (long)Math.Round((1 - options.Percentile) * (n - 1));
        return (sorted[lo].item<float>(), sorted[hi].item<float>());
    }
}
