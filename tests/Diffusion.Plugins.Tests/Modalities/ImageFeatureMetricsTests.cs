using Diffusion.Modalities.Image;
using Diffusion.Modalities.Image.Metrics;

namespace Diffusion.Plugins.Tests.Modalities;

/// <summary>One classifier cache for the whole class, so the shapes classifier is trained once.</summary>
public sealed class ClassifierCacheFixture : IDisposable
{
    private readonly TempFolder folder = new();

    public string Path => folder.Path;

    public void Dispose() => folder.Dispose();
}

/// <summary>
/// The classifier-feature metrics on the built-in shapes (600 16x16 images, a classifier trained once in seconds),
/// and the metric functions on hand-made features with known answers.
/// </summary>
public class ImageFeatureMetricsTests(ClassifierCacheFixture fixture) : IClassFixture<ClassifierCacheFixture>, IDisposable
{
    private static readonly string[] All =
        [ImageMetrics.Fd, ImageMetrics.Kid, ImageMetrics.PrecisionRecall, ImageMetrics.Memorization];

    private readonly string cachePath = fixture.Path;
    private readonly FakeRunContext context = new();

    public void Dispose() => context.Dispose();

    private ImageModality Shapes(params string[] metrics) => new(new ImageModalityOptions
    {
        Count = 600, ImageSize = 16, Metrics = metrics, ClassifierEpochs = 12, ClassifierCache = cachePath, KidSubsetSize = 100, KidSubsets = 5,
    });

    [Fact]
    public void Real_images_score_near_the_floor_and_shifted_ones_far_from_it()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes(All);
        using var reference = modality.Load(DataSplit.Test); // 150 images
        using var train = modality.Load(DataSplit.Train);

        var same = modality.Evaluate(reference.Items, reference, context);
        var fresh = modality.Evaluate(train.Items[300..450], reference, context);
        var darker = modality.Evaluate((reference.Items - 0.6f).clamp(-1, 1), reference, context);
        var noise = modality.Evaluate(rand(150, 1, 16, 16) * 2 - 1, reference, context);

        // The reference against itself: no distance, every item inside the other's manifold.
        Assert.InRange(same[ImageMetrics.Fd], 0, 1e-6);
        Assert.InRange(Math.Abs(same[ImageMetrics.Kid]), 0, darker[ImageMetrics.Kid] / 20);
        Assert.Equal(1.0, same[ImageMetrics.Precision]);
        Assert.Equal(1.0, same[ImageMetrics.Recall]);
        // Unseen real images score like the floor (which is made of other real images of the same number).
        Assert.InRange(fresh[ImageMetrics.Fd], 0.3 * fresh[ImageMetrics.Floor(ImageMetrics.Fd)], 3 * fresh[ImageMetrics.Floor(ImageMetrics.Fd)]);
        Assert.True(fresh[ImageMetrics.Precision] > 0.6 && fresh[ImageMetrics.Recall] > 0.6, $"P {fresh[ImageMetrics.Precision]} R {fresh[ImageMetrics.Recall]}");
        // Darkened images are far off on every measure.
        Assert.True(darker[ImageMetrics.Fd] > 5 * darker[ImageMetrics.Floor(ImageMetrics.Fd)], $"fd {darker[ImageMetrics.Fd]} floor {darker[ImageMetrics.Floor(ImageMetrics.Fd)]}");
        Assert.True(darker[ImageMetrics.Kid] > 5 * Math.Max(darker[ImageMetrics.Floor(ImageMetrics.Kid)], 1e-4), $"kid {darker[ImageMetrics.Kid]}");
        // Noise covers none of the data's manifold. (Its precision is not asserted: a classifier this small may map
        // noise next to real images; the known answers of precision are checked on hand-made features below.)
        Assert.True(noise[ImageMetrics.Recall] < 0.1, $"R {noise[ImageMetrics.Recall]}");
        Assert.True(noise[ImageMetrics.Fd] > 5 * noise[ImageMetrics.Floor(ImageMetrics.Fd)]);
        // Floors do not depend on the samples.
        Assert.Equal(same[ImageMetrics.Floor(ImageMetrics.Fd)], darker[ImageMetrics.Floor(ImageMetrics.Fd)]);
        Assert.Equal(same[ImageMetrics.Floor(ImageMetrics.Precision)], darker[ImageMetrics.Floor(ImageMetrics.Precision)]);
        Assert.Equal(same[ImageMetrics.Floor(ImageMetrics.Memorization)], darker[ImageMetrics.Floor(ImageMetrics.Memorization)]);
    }

    [Fact]
    public void Memorization_finds_copied_training_images()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes(ImageMetrics.Memorization);
        using var reference = modality.Load(DataSplit.Test);
        using var train = modality.Load(DataSplit.Train);
        // 30 copies of training images (with noise far below the distance between images) and 90 test images.
        var copies = train.Items[..30] + randn(30, 1, 16, 16) * 0.001f;
        var fresh = reference.Items[..90];

        var mixed = modality.Evaluate(cat([copies, fresh]), reference, context)[ImageMetrics.Memorization];
        var freshOnly = modality.Evaluate(fresh, reference, context);

        // Every copy is found; the test images score what they score alone (a few shapes have near twins in training).
        Assert.Equal((30 + 90 * freshOnly[ImageMetrics.Memorization]) / 120, mixed, 1e-9);
        Assert.InRange(freshOnly[ImageMetrics.Memorization], 0, 0.1);
        Assert.InRange(freshOnly[ImageMetrics.Floor(ImageMetrics.Memorization)], 0, 0.1);
    }

    [Fact]
    public void Memorization_uses_the_ratio_of_the_two_nearest_distances()
    {
        using var scope = NewDisposeScope();
        var train = tensor(new float[] { 0, 10, 20 }).reshape(3, 1);
        // Distances to the two nearest: 1 and 9 (ratio 0.11), 4 and 6 (0.67), 0 and 10 (0).
        var samples = tensor(new float[] { 1, 6, 20 }).reshape(3, 1) / 25f;

        Assert.Equal(2.0 / 3, Memorization.Share(samples, train / 25f, 1.0 / 3), 1e-9);
        Assert.Equal(1.0, Memorization.Share(samples, train / 25f, 0.7), 1e-9);
    }

    [Fact]
    public void Precision_and_recall_of_disjoint_and_nested_sets()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20261126); // its own draws: the global generator's state depends on test order
        var real = randn(200, 4, dtype: ScalarType.Float64, generator: generator);
        var far = randn(200, 4, dtype: ScalarType.Float64, generator: generator) + 100;
        var narrow = real[..100] * 0.1; // inside the real manifold, covering only its centre

        var disjoint = PrecisionRecall.Compute(real, far, 3);
        var nested = PrecisionRecall.Compute(real, narrow, 3);
        var same = PrecisionRecall.Compute(real, real.clone(), 3);

        Assert.Equal((0.0, 0.0), disjoint);
        Assert.True(nested.Precision > 0.9, $"precision {nested.Precision}");
        Assert.True(nested.Recall < 0.3, $"recall {nested.Recall}");
        Assert.Equal((1.0, 1.0), same);
    }

    [Fact]
    public void Kid_is_the_unbiased_polynomial_mmd()
    {
        using var scope = NewDisposeScope();
        var x = randn(5, 3, dtype: ScalarType.Float64);
        var y = randn(5, 3, dtype: ScalarType.Float64) + 0.5;
        double K(Tensor a, Tensor b) => Math.Pow(a.dot(b).item<double>() / 3 + 1, 3);
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                if (i != j) { xx += K(x[i], x[j]); yy += K(y[i], y[j]); }
                xy += K(x[i], y[j]);
            }
        double expected = (xx + yy) / 20 - 2 * xy / 25;

        Assert.Equal(expected, KernelDistance.UnbiasedMmd2(x, y), 1e-9);
        // Subsets of the whole sets, in any order, give the same value.
        Assert.Equal(expected, KernelDistance.Between(x, y, subsetSize: 5, subsets: 3), 1e-9);
        // Two large draws of one distribution: close to 0; of shifted ones: clearly positive.
        using var generator = new Generator(7);
        var a = randn(400, 8, dtype: ScalarType.Float64, generator: generator);
        var b = randn(400, 8, dtype: ScalarType.Float64, generator: generator);
        Assert.InRange(KernelDistance.Between(a, b, 200, 5), -0.05, 0.05);
        Assert.True(KernelDistance.Between(a, b + 1, 200, 5) > 0.5);
    }

    [Fact]
    public void The_classifier_is_cached_reused_and_deterministic()
    {
        using var scope = NewDisposeScope();
        var modality = new ImageModality(new ImageModalityOptions { Count = 256, ImageSize = 16 });
        using var train = modality.Load(DataSplit.Train);
        using var otherCache = new TempFolder();

        using var cache = new TempFolder();
        var first = ClassifierCache.GetOrTrain(train, 3, 1, cache.Path, context);
        var second = ClassifierCache.GetOrTrain(train, 3, 1, cache.Path, context);
        var elsewhere = ClassifierCache.GetOrTrain(train, 3, 1, otherCache.Path, context);
        var moreEpochs = ClassifierCache.GetOrTrain(train, 3, 2, cache.Path, context);
        try
        {
            Assert.True(first.Trained);
            Assert.False(second.Trained);
            Assert.Equal(first.File, second.File);
            Assert.True(elsewhere.Trained);
            Assert.True(moreEpochs.Trained);
            Assert.NotEqual(first.File, moreEpochs.File);
            Assert.Equal(2, Directory.GetFiles(cache.Path, "*.weights").Length);

            var images = train.Items[..50];
            var a = ClassifierCache.Features(first.Network, images, CPU);
            Assert.True(a.allclose(ClassifierCache.Features(second.Network, images, CPU), rtol: 0, atol: 0), "the cached weights are the trained ones");
            Assert.True(a.allclose(ClassifierCache.Features(elsewhere.Network, images, CPU), rtol: 0, atol: 0), "training twice gives the same weights");
            Assert.Equal(FeatureClassifier.FeatureSize, a.shape[1]);
            // The key hashes the data: one changed pixel is another classifier.
            var changed = train.Items.clone();
            changed[0, 0, 0, 0] = changed[0, 0, 0, 0] + 0.5f;
            using var changedData = new ModalityData(changed, train.Labels!.clone(), train.ClassNames);
            Assert.NotEqual(ClassifierCache.Key(train, 3, 1), ClassifierCache.Key(changedData, 3, 1));
        }
        finally
        {
            foreach (var r in new[] { first, second, elsewhere, moreEpochs }) r.Network.Dispose();
        }
    }

    [Fact]
    public void The_classifier_learns_the_shapes()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes(ImageMetrics.ClassAccuracy);
        using var reference = modality.Load(DataSplit.Test);
        context.State.Samples = new GeneratedSamples(reference.Items, reference.Labels!.clone());

        var asDrawn = modality.Evaluate(reference.Items, reference, context);
        context.State.Samples = new GeneratedSamples(reference.Items, (reference.Labels! + 1).remainder(3));
        var mislabelled = modality.Evaluate(reference.Items, reference, context);

        Assert.True(asDrawn[ImageMetrics.ClassAccuracy] > 0.7, $"accuracy {asDrawn[ImageMetrics.ClassAccuracy]}");
        Assert.Equal(asDrawn[ImageMetrics.ClassAccuracy], asDrawn[ImageMetrics.Floor(ImageMetrics.ClassAccuracy)]);
        Assert.True(mislabelled[ImageMetrics.ClassAccuracy] < 0.2, $"accuracy {mislabelled[ImageMetrics.ClassAccuracy]}");
    }

    [Fact]
    public void Class_accuracy_without_sample_labels_says_how_to_get_them()
    {
        using var scope = NewDisposeScope();
        var modality = Shapes(ImageMetrics.ClassAccuracy);
        using var reference = modality.Load(DataSplit.Test);

        var error = Assert.Throws<PluginInputException>(() => modality.Evaluate(reference.Items, reference, context));

        Assert.Contains("class_labels: cycle", error.Message);
        context.State.Samples = new GeneratedSamples(reference.Items, zeros(3, dtype: ScalarType.Int64));
        var mismatch = Assert.Throws<PluginInputException>(() => modality.Evaluate(reference.Items, reference, context));
        Assert.Contains("3 labels for 150 samples", mismatch.Message);
    }

    [Fact]
    public void Feature_metrics_need_labelled_training_data()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < 4; i++)
        {
            using var file = File.Create(Path.Combine(folder.Path, $"{i}.png"));
            Diffusion.Modalities.Image.Png.ImageCodec.WritePng(file, 4, 4, 1, Enumerable.Repeat((byte)(i * 60), 16).ToArray());
        }
        var modality = new ImageModality(new ImageModalityOptions
        {
            Dataset = ImageDataset.ImageFolder, Path = folder.Path, ImageSize = 4, TestFraction = 0.5,
            Metrics = [ImageMetrics.Fd], ClassifierCache = cachePath,
        });
        using var reference = modality.Load(DataSplit.Test);

        var error = Assert.Throws<PluginInputException>(() => modality.Evaluate(reference.Items, reference, context));

        Assert.Contains("has no labels", error.Message);
        Assert.Contains("fd-pixels and memorization", error.Message);
    }
}
