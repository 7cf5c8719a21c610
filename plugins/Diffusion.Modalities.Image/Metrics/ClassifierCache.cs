using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// Trains the <see cref="FeatureClassifier"/> of a training split, or reuses the one trained before: weights are cached
/// in a folder under a name that hashes the training images, their labels and every training setting, so the same
/// data and settings never train twice, and any change to them trains afresh. Training is deterministic: weights
/// start from a fixed-seed generator, batches follow a fixed-seed permutation (Adam, lr 1e-3, batches of 128).
/// </summary>
internal static class ClassifierCache
{
    public const int BatchSize = 128;
    public const double LearningRate = 1e-3;
    private const ulong Seed = 0xF1D_C1A5;
    private const string Version = "feature-classifier-v1";

    /// <summary>A classifier ready to use (in eval mode, on the run's device), and whether this call trained it.</summary>
    public sealed record Result(FeatureClassifier Network, bool Trained, string File);

    /// <summary>The cache key: a hash of the images, labels, class count and training settings.</summary>
    public static string Key(ModalityData train, int classes, int epochs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string settings = $"{Version} classes={classes} epochs={epochs} batch={BatchSize} lr={LearningRate:R} seed={Seed} " +
                          $"shape=[{string.Join(",", train.Items.shape)}]\n";
        hash.AppendData(Encoding.UTF8.GetBytes(settings));
        using (var items = train.Items.to_type(ScalarType.Float32).contiguous()) hash.AppendData(items.bytes);
        using (var labels = train.Labels!.to_type(ScalarType.Int64).contiguous()) hash.AppendData(labels.bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    /// <summary>The classifier of <paramref name="train"/>: loaded from <paramref name="folder"/> when cached, trained and cached otherwise.</summary>
    public static Result GetOrTrain(ModalityData train, int classes, int epochs, string folder, IRunContext context)
    {
        if (train.Labels is null)
            throw new PluginInputException(
                "fd, kid, precision-recall and class-accuracy use a classifier trained on the training split's classes, but this dataset " +
                "has no labels: put the images in one sub-folder per class, or use fd-pixels and memorization");
        if (classes < 2)
            throw new PluginInputException(
                $"fd, kid, precision-recall and class-accuracy use a classifier trained on the data's classes, but it has {classes} class; " +
                "use at least 2 classes (sub-folders), or use fd-pixels and memorization");

        var shape = train.Items.shape;
        var network = new FeatureClassifier((int)shape[1], (int)shape[2], classes);
        string file = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, Key(train, classes, epochs) + ".weights"));
        if (File.Exists(file))
        {
            try
            {
                network.load(file);
                network.to(context.Device).eval();
                context.Logger.LogInformation("feature classifier: reusing {File}", file);
                return new Result(network, false, file);
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
                context.Logger.LogWarning("feature classifier: cannot read {File} ({Message}); training it again", file, e.Message);
            }
        }

        Train(network, train, epochs, context);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        string temporary = $"{file}.{Environment.ProcessId}.tmp";
        network.cpu().save(temporary);
        File.Move(temporary, file, overwrite: true);
        network.to(context.Device).eval();
        context.Logger.LogInformation("feature classifier: cached in {File}", file);
        return new Result(network, true, file);
    }

    private static void Train(FeatureClassifier network, ModalityData train, int epochs, IRunContext context)
    {
        var watch = Stopwatch.StartNew();
        using var grad = enable_grad(); // callers may score samples under no_grad (the compress stage does)
        using var generator = new Generator(Seed, CPU);
        network.Initialise(generator);
        network.to(context.Device).train();
        using var optimizer = optim.Adam(network.parameters(), LearningRate);
        long n = train.Count;
        long batches = (n + BatchSize - 1) / BatchSize;
        using var progress = context.Progress.Start("feature classifier", epochs * batches);
        double lastLoss = double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            using var order = randperm(n, generator: generator);
            for (long b = 0; b < batches; b++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, b * BatchSize, Math.Min(BatchSize, n - b * BatchSize));
                var x = train.Items.index_select(0, index).to(context.Device);
                var y = train.Labels!.index_select(0, index).to(context.Device);
                var loss = nn.functional.cross_entropy(network.call(x), y);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (b == batches - 1) lastLoss = loss.item<float>();
                progress.Report(epoch * batches + b + 1);
            }
        }
        context.Logger.LogInformation(
            "feature classifier: trained on {Count} images, {Epochs} epochs, in {Seconds:0.0} s (last batch loss {Loss:0.###})",
            n, epochs, watch.Elapsed.TotalSeconds, lastLoss);
    }

    /// <summary>The features [N, 64] (float64, CPU) of images [N, C, S, S], clamped to [−1, 1] first.</summary>
    public static Tensor Features(FeatureClassifier network, Tensor images, Device device) =>
        Batched(images, device, x => network.Features(x));

    /// <summary>The predicted classes [N] (long, CPU) of images [N, C, S, S], clamped to [−1, 1] first.</summary>
    public static Tensor Predict(FeatureClassifier network, Tensor images, Device device) =>
        Batched(images, device, x => network.call(x).argmax(1).to_type(ScalarType.Float64)).to_type(ScalarType.Int64);

    private static Tensor Batched(Tensor images, Device device, Func<Tensor, Tensor> f)
    {
        const int chunk = 512;
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += chunk)
            {
                using var scope = NewDisposeScope();
                var x = images.narrow(0, start, Math.Min(chunk, images.shape[0] - start)).to(ScalarType.Float32, device).clamp(-1, 1);
                parts.Add(scope.MoveToOuter(f(x).to(ScalarType.Float64, CPU)));
            }
            return cat(parts.ToArray());
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
