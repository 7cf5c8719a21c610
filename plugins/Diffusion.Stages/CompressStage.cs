using System.Diagnostics;
using Diffusion.Abstractions.Compression;
using Diffusion.Stages.Checkpoints;
using Diffusion.Stages.Training;
using TorchSharp;

namespace Diffusion.Stages;

/// <summary>
/// Applies compression passes to a trained model; later stages use the compressed network. Before the first pass and
/// after each one it records the parameter count, the MACs of one forward pass on one item, the bytes of the stored
/// weights (compressed form: the whole file, and the linear and convolution weights alone), the median latency of a sampling call and the modality's sample metrics, as metrics
/// <c>compress/NAME</c> at step k (k passes applied), plus <c>compress/before/NAME</c>, <c>compress/after/NAME</c>
/// and <c>compress/NAME_ratio</c> (after / before). The compressed weights are written to
/// <c>compressed/STAGE/model.safetensors</c>.
/// </summary>
[Plugin(PluginKind.Stage, "compress", Options = typeof(CompressStageOptions), Description = "Applies compression passes to a trained model, in order; measures size, MACs, latency and quality before and after.")]
public sealed class CompressStage(CompressStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = StageHelpers.TrainedModel(context, options.Model);
        using var measure = new Measurement(options, model, context);
        var before = measure.Take(model.Network, 0);
        // The original network, kept to time it again beside the compressed one (timings taken minutes apart drift).
        using var original = options.LatencyRuns > 0 && measure.Times ? Copy(model.Network, model, context) : null;
        var network = model.Network;
        var current = before;
        for (int i = 0; i < options.Passes.Length; i++)
        {
            string name = options.Passes[i];
            context.Cancellation.ThrowIfCancellationRequested();
            var compressed = context.Component<ICompressionPass>(name).Apply(network, context);
            if (!ReferenceEquals(compressed, network))
            {
                compressed.to(context.Device);
                compressed.eval();
            }
            network = compressed;
            model = model with { Network = network };
            context.State.SetModel(options.Model, model);
            current = measure.Take(network, i + 1);
            context.Logger.LogInformation("compress: applied '{Pass}' to '{Model}': {Summary}", name, options.Model, current.Summary(before));
        }
        if (original is not null)
        {
            // Final latencies: the original and the compressed network timed alternately, so drift hits both alike.
            var (was, now) = measure.PairedLatency(original, network);
            context.Logger.LogInformation("compress: paired latency (alternating calls) {Before:F1} ms -> {After:F1} ms ({Ratio:0.###}x)", was, now, now / was);
            before.Values["latency_ms"] = was;
            current.Values["latency_ms"] = now;
        }
        foreach (var (key, value) in measure.Fidelity()) context.Tracker.LogMetric($"compress/{key}", value, 0);
        foreach (var (key, value) in before.Values) context.Tracker.LogMetric($"compress/before/{key}", value, 0);
        foreach (var (key, value) in current.Values)
        {
            context.Tracker.LogMetric($"compress/after/{key}", value, 0);
            if (before.Values.TryGetValue(key, out double old) && old != 0) context.Tracker.LogMetric($"compress/{key}_ratio", value / old, 0);
        }
        SaveCompressed(network, model, context);
    }

    /// <summary>A copy of <paramref name="network"/> (same shapes, masks and weights) for timing it later.</summary>
    private DenoiserModule Copy(DenoiserModule network, TrainedModel model, IRunContext context)
    {
        var copy = context.Component<IDenoiser>(options.Model).Build(model.Data);
        var state = network.state_dict();
        NetworkShapes.AdoptShapes(copy, state);
        copy.to(context.Device);
        using (no_grad())
        {
            foreach (var (name, target) in copy.state_dict())
                if (state.TryGetValue(name, out var source)) target.copy_(source);
        }
        copy.eval();
        return copy;
    }

    private void SaveCompressed(DenoiserModule network, TrainedModel model, IRunContext context)
    {
        bool reshaped;
        using (var fresh = context.Component<IDenoiser>(options.Model).Build(model.Data))
        {
            var freshShapes = fresh.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
            reshaped = network.named_parameters().Any(p => freshShapes.TryGetValue(p.name, out var shape) && !shape.SequenceEqual(p.parameter.shape));
        }
        var metadata = CheckpointIO.ModelMetadata(model.Schedule, model.Data, reshaped);
        metadata["compression"] = string.Join(",", options.Passes);
        string path = context.Artifacts.Write(Path.Combine("compressed", context.StageName, "model.safetensors"), "compressed-model",
            stream => SafeTensors.Write(stream, CompressedWeightLayout.Encode(network.state_dict()), metadata));
        context.Logger.LogInformation("compress: wrote {Path} ({Bytes:N0} bytes)", path, new FileInfo(path).Length);
    }

    /// <summary>The numbers recorded for one state of the network.</summary>
    private sealed record Snapshot(Dictionary<string, double> Values)
    {
        public string Summary(Snapshot before) => string.Join(", ", Values.Select(p =>
            before.Values.TryGetValue(p.Key, out double old) && old != 0 ? $"{p.Key} {p.Value:G6} ({p.Value / old:0.###}x)" : $"{p.Key} {p.Value:G6}"));
    }

    private sealed class Measurement(CompressStageOptions options, TrainedModel model, IRunContext context) : IDisposable
    {
        private readonly ISampler? _sampler = options.Sampler is null ? null : context.Component<ISampler>(options.Sampler);
        private readonly IModality? _modality = options.Data is null ? null : context.Component<IModality>(options.Data);
        private Tensor? _firstSamples;
        private Tensor? _lastSamples;

        /// <summary>Whether sampling calls are timed.</summary>
        public bool Times => _sampler is not null && options.LatencyRuns > 0;

        /// <summary>
        /// How far the last snapshot's scored samples moved from the first snapshot's samples drawn from the same
        /// noise: <c>sample_rmse</c> and <c>sample_psnr_db</c> (data range [-1, 1], peak-to-peak 2). A paired comparison,
        /// so it tells a small change from sampling noise that a distribution metric on a few hundred samples cannot.
        /// </summary>
        public IReadOnlyDictionary<string, double> Fidelity()
        {
            if (_firstSamples is null || _lastSamples is null) return new Dictionary<string, double>();
            using var scope = NewDisposeScope();
            double mse = (_lastSamples - _firstSamples).square().mean().item<float>();
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["sample_rmse"] = Math.Sqrt(mse),
                ["sample_psnr_db"] = mse > 0 ? 10 * Math.Log10(4.0 / mse) : 100.0,
            };
        }

        public void Dispose()
        {
            _firstSamples?.Dispose();
            _lastSamples?.Dispose();
        }

        /// <summary>Median latencies of <paramref name="a"/> and <paramref name="b"/>, timed alternately after each one's warm-up.</summary>
        public (double A, double B) PairedLatency(DenoiserModule a, DenoiserModule b)
        {
            using var noGrad = no_grad();
            var timesA = new List<double>();
            var timesB = new List<double>();
            WithLatencyThreads(() =>
            {
                for (int w = 0; w < options.LatencyWarmup; w++)
                {
                    Sample(a, 0, options.LatencyBatch, "compress-latency").Dispose();
                    Sample(b, 0, options.LatencyBatch, "compress-latency").Dispose();
                }
                for (int run = 0; run < options.LatencyRuns; run++)
                {
                    timesA.Add(TimeOne(a));
                    timesB.Add(TimeOne(b));
                }
            });
            return (Median(timesA), Median(timesB));
        }

        private double TimeOne(DenoiserModule network)
        {
            var clock = Stopwatch.StartNew();
            Sample(network, 0, options.LatencyBatch, "compress-latency").Dispose();
            return clock.Elapsed.TotalMilliseconds;
        }

        private void WithLatencyThreads(Action action)
        {
            int threads = get_num_threads();
            if (options.LatencyThreads > 0) set_num_threads(options.LatencyThreads);
            try { action(); }
            finally { if (options.LatencyThreads > 0) set_num_threads(threads); }
        }

        private static double Median(List<double> times)
        {
            times.Sort();
            return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        }

        public Snapshot Take(DenoiserModule network, int step)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["parameters"] = network.parameters().Sum(p => p.numel()),
                ["macs"] = Macs(network),
                ["checkpoint_bytes"] = StoredBytes(network),
                ["weight_bytes"] = CompressedWeightLayout.LayerWeightBytes(network),
            };
            if (_sampler is not null && options.LatencyRuns > 0) values["latency_ms"] = MedianLatency(network);
            if (_sampler is not null && _modality is not null && options.EvalCount > 0)
            {
                foreach (var (key, value) in Quality(network)) values["eval_" + key] = value;
            }
            foreach (var (key, value) in values) context.Tracker.LogMetric($"compress/{key}", value, step);
            return new Snapshot(values);
        }

        private long Macs(DenoiserModule network)
        {
            using var scope = NewDisposeScope();
            var x = zeros([1, .. model.Data.ItemShape], device: context.Device);
            var t = full([1], model.Schedule.Timesteps / 2, dtype: ScalarType.Float32, device: context.Device);
            var labels = model.Data.NumClasses > 0 ? zeros([1], dtype: ScalarType.Int64, device: context.Device) : null;
            return MacCounter.Count(network, x, t, labels is null ? null : new Conditioning(ClassLabels: labels));
        }

        private static long StoredBytes(DenoiserModule network)
        {
            using var counter = new CountingStream();
            SafeTensors.Write(counter, CompressedWeightLayout.Encode(network.state_dict()));
            return counter.Length;
        }

        private Tensor Sample(DenoiserModule network, long first, int count, string stream)
        {
            using var scope = NewDisposeScope();
            using var generators = context.GeneratorsFor(first, count, stream);
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var sampling = new SamplingContext(model with { Network = network }, options.SampleSteps, generators) { Cancellation = context.Cancellation };
            return scope.MoveToOuter(_sampler!.Sample(noise, sampling).cpu());
        }

        private double MedianLatency(DenoiserModule network)
        {
            using var noGrad = no_grad();
            var times = new List<double>();
            WithLatencyThreads(() =>
            {
                for (int w = 0; w < options.LatencyWarmup; w++) Sample(network, 0, options.LatencyBatch, "compress-latency").Dispose();
                for (int run = 0; run < options.LatencyRuns; run++) times.Add(TimeOne(network));
            });
            return Median(times);
        }

        /// <summary>The <c>eval_count</c> scored samples of <paramref name="network"/>, from the same noise every time.</summary>
        private Tensor Samples(DenoiserModule network)
        {
            var parts = new List<Tensor>();
            const int batch = 64;
            for (int first = 0; first < options.EvalCount; first += batch)
                parts.Add(Sample(network, first, Math.Min(batch, options.EvalCount - first), "compress-eval"));
            var samples = cat(parts.ToArray());
            foreach (var p in parts) p.Dispose();
            return samples;
        }

        private IReadOnlyDictionary<string, double> Quality(DenoiserModule network)
        {
            using var noGrad = no_grad();
            var samples = Samples(network);
            using var reference = _modality!.Load(DataSplit.Test);
            var scores = _modality.Evaluate(samples, reference, context);
            if (_firstSamples is null) _firstSamples = samples;
            else
            {
                _lastSamples?.Dispose();
                _lastSamples = samples;
            }
            return scores;
        }
    }

    /// <summary>A write-only stream that only counts bytes.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void WriteByte(byte value) => _length++;
    }
}
