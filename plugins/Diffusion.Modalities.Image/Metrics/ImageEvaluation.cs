using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// One evaluation of samples against the reference (held-out) split: the metrics the options name, each with its
/// real-vs-real floor, where real images take the samples' place. The floors use as many real images as there are
/// samples (the estimates depend on the set size): a subset of the training split (fd, kid, precision-recall) or of
/// the reference (memorization), drawn with a fixed seed so that every run compares against the same images.
/// </summary>
internal sealed class ImageEvaluation(ImageModalityOptions options, ImageModality modality, Tensor samples, ModalityData reference, IRunContext context)
{
    private const ulong SubsetSeed = 0x5B5E7;
    private const ulong TrainStream = 1;
    private const ulong ReferenceStream = 2;
    private static readonly string[] ClassifierMetrics = [ImageMetrics.Fd, ImageMetrics.Kid, ImageMetrics.PrecisionRecall, ImageMetrics.ClassAccuracy];

    private readonly Dictionary<string, double> results = new(StringComparer.Ordinal);
    private readonly List<IDisposable> owned = [];
    private ModalityData? train;
    private FeatureClassifier? classifier;

    private long Count => samples.shape[0];

    public IReadOnlyDictionary<string, double> Run()
    {
        try
        {
            PixelStatistics();
            var metrics = (options.Metrics ?? []).Distinct().ToList();
            if (metrics.Count == 0) return results;
            CheckShapes();
            if (metrics.Contains(ImageMetrics.FdPixels)) FdPixels();
            var others = metrics.Where(m => m != ImageMetrics.FdPixels).ToList();
            if (others.Count == 0) return results;
            if (Count < 2 || reference.Count < 2)
            {
                context.Logger.LogWarning("{Metrics} need at least 2 samples and 2 reference items (got {Samples} and {Reference}); skipped",
                    string.Join(", ", others), Count, reference.Count);
                return results;
            }
            train = modality.LoadUnaugmented(DataSplit.Train);
            if (others.Intersect(ClassifierMetrics).Any()) FeatureMetrics(others);
            if (others.Contains(ImageMetrics.Memorization)) MemorizationShare();
            return results;
        }
        finally
        {
            foreach (var item in owned) item.Dispose();
            classifier?.Dispose();
            train?.Dispose();
        }
    }

    private void PixelStatistics()
    {
        using var scope = NewDisposeScope();
        var values = samples.detach().to_type(ScalarType.Float64);
        results[ImageMetrics.PixelMean] = values.mean().item<double>();
        results[ImageMetrics.PixelStd] = values.numel() > 1 ? values.std().item<double>() : 0.0;
    }

    private void CheckShapes()
    {
        if (samples.dim() != 4 || reference.Items.dim() != 4 || !samples.shape.Skip(1).SequenceEqual(reference.Items.shape.Skip(1)))
            throw new PluginInputException(
                $"the image metrics compare images [N, C, H, W] shaped like the data; got samples [{string.Join(", ", samples.shape)}] " +
                $"and reference [{string.Join(", ", reference.Items.shape)}]: sample from a model trained on this data component");
    }

    private void FdPixels()
    {
        if (Count < 2 || reference.Count < 4)
        {
            context.Logger.LogWarning("fd-pixels needs at least 2 samples and 4 reference items (got {Samples} and {Reference}); skipped",
                Count, reference.Count);
            return;
        }
        using var scope = NewDisposeScope();
        var sampleFeatures = FrechetDistance.PixelFeatures(samples);
        var referenceFeatures = FrechetDistance.PixelFeatures(reference.Items);
        results[ImageMetrics.FdPixels] = FrechetDistance.Between(sampleFeatures, referenceFeatures);
        // Interleaved halves, so that a reference sorted by class still splits into two halves of the same mix.
        var even = referenceFeatures[TensorIndex.Slice(0, null, 2)];
        var odd = referenceFeatures[TensorIndex.Slice(1, null, 2)];
        results[ImageMetrics.FdPixelsFloor] = FrechetDistance.Between(even, odd);
    }

    private void FeatureMetrics(List<string> metrics)
    {
        int classes = Math.Max(modality.Spec.NumClasses, train!.Labels is null ? 0 : (int)train.Labels.max().item<long>() + 1);
        var cached = ClassifierCache.GetOrTrain(train, classes, options.ClassifierEpochs, options.ClassifierCache, context);
        classifier = cached.Network;
        var device = context.Device;
        if (metrics.Contains(ImageMetrics.ClassAccuracy)) ClassAccuracy(device);
        if (!metrics.Any(m => m is ImageMetrics.Fd or ImageMetrics.Kid or ImageMetrics.PrecisionRecall)) return;

        var sampleFeatures = Own(ClassifierCache.Features(classifier, samples, device));
        var referenceFeatures = Own(ClassifierCache.Features(classifier, reference.Items, device));
        var realItems = Own(Subset(train.Items, Count, TrainStream));
        var realFeatures = Own(ClassifierCache.Features(classifier, realItems, device));

        if (metrics.Contains(ImageMetrics.Fd))
        {
            results[ImageMetrics.Fd] = FrechetDistance.Between(sampleFeatures, referenceFeatures);
            results[ImageMetrics.Floor(ImageMetrics.Fd)] = FrechetDistance.Between(realFeatures, referenceFeatures);
        }
        if (metrics.Contains(ImageMetrics.Kid))
        {
            results[ImageMetrics.Kid] = KernelDistance.Between(sampleFeatures, referenceFeatures, options.KidSubsetSize, options.KidSubsets);
            results[ImageMetrics.Floor(ImageMetrics.Kid)] = KernelDistance.Between(realFeatures, referenceFeatures, options.KidSubsetSize, options.KidSubsets);
        }
        if (metrics.Contains(ImageMetrics.PrecisionRecall)) PrecisionAndRecall(sampleFeatures, referenceFeatures, realFeatures);
    }

    private void PrecisionAndRecall(Tensor sampleFeatures, Tensor referenceFeatures, Tensor realFeatures)
    {
        int k = options.NearestK;
        // Manifolds from sets of equal size: the k-th neighbour distance shrinks as a set grows.
        var referenceSubset = Own(Subset(referenceFeatures, Count, ReferenceStream));
        long smallest = Math.Min(Math.Min(Count, referenceSubset.shape[0]), realFeatures.shape[0]);
        if (smallest <= k)
        {
            context.Logger.LogWarning("precision-recall with nearest_k = {K} needs more than {K} samples, reference and training items (got {Count}); skipped",
                k, k, smallest);
            return;
        }
        var (precision, recall) = PrecisionRecall.Compute(referenceSubset, sampleFeatures, k);
        var (precisionFloor, recallFloor) = PrecisionRecall.Compute(referenceSubset, realFeatures, k);
        results[ImageMetrics.Precision] = precision;
        results[ImageMetrics.Recall] = recall;
        results[ImageMetrics.Floor(ImageMetrics.Precision)] = precisionFloor;
        results[ImageMetrics.Floor(ImageMetrics.Recall)] = recallFloor;
    }

    private void ClassAccuracy(Device device)
    {
        if (context.State.Samples?.Labels is not { } labels)
            throw new PluginInputException(
                "class-accuracy scores class-conditional samples against the labels they were drawn for, but the samples have no labels: " +
                "train a class-conditional model (class_conditional: true) and set class_labels: cycle on the sample stage");
        if (labels.shape.Length != 1 || labels.shape[0] != Count)
            throw new PluginInputException(
                $"class-accuracy: the sample stage recorded {labels.shape[0]} labels for {Count} samples; evaluate the samples the labelled sample stage drew");
        using var scope = NewDisposeScope();
        var predicted = ClassifierCache.Predict(classifier!, samples, device);
        results[ImageMetrics.ClassAccuracy] = predicted.eq(labels.to(ScalarType.Int64, CPU)).to_type(ScalarType.Float64).mean().item<double>();
        if (reference.Labels is not null)
        {
            var real = ClassifierCache.Predict(classifier!, reference.Items, device);
            results[ImageMetrics.Floor(ImageMetrics.ClassAccuracy)] =
                real.eq(reference.Labels.to(ScalarType.Int64, CPU)).to_type(ScalarType.Float64).mean().item<double>();
        }
    }

    private void MemorizationShare()
    {
        double ratio = options.MemorizationRatio;
        results[ImageMetrics.Memorization] = Memorization.Share(samples, train!.Items, ratio);
        using var real = Subset(reference.Items, Count, ReferenceStream);
        results[ImageMetrics.Floor(ImageMetrics.Memorization)] = Memorization.Share(real, train.Items, ratio);
    }

    /// <summary>At most <paramref name="count"/> rows of <paramref name="items"/>, drawn without replacement by a fixed-seed permutation.</summary>
    private static Tensor Subset(Tensor items, long count, ulong stream)
    {
        long n = items.shape[0];
        if (count >= n) return items.alias();
        using var generator = new Generator(SubsetSeed + stream, CPU);
        using var order = randperm(n, generator: generator);
        using var chosen = order.narrow(0, 0, count);
        return items.index_select(0, chosen);
    }

    private Tensor Own(Tensor tensor)
    {
        owned.Add(tensor);
        return tensor;
    }
}
