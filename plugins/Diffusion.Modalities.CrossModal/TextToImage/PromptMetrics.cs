using Diffusion.Abstractions.Stages;
using Diffusion.Modalities.Image.Metrics;

namespace Diffusion.Modalities.CrossModal.TextToImage;

/// <summary>
/// Whether text-to-image samples show what their prompts asked for. <c>prompt-accuracy</c>: the share of samples whose
/// class, as the in-project classifier (the image plugin's feature classifier trained on the training split, cached)
/// reads it, is the class of the prompt the sample was drawn for (<see cref="GeneratedSamples.Labels"/>). For captioned
/// shapes, whose classes are attribute combinations, each attribute is read on its own: shape by a classifier trained on
/// the shape labels, colour, size and position from the pixels (<see cref="AttributeReader"/>);
/// <c>shape-/colour-/size-/position-accuracy</c> are the per-attribute shares and prompt-accuracy the share with all four
/// right. Each metric has a <c>-floor</c>: the same measure on the held-out real images against their own captions.
/// </summary>
internal sealed class PromptMetrics(CaptionedImageOptions options, Tensor samples, ModalityData reference, IRunContext context)
{
    /// <summary>The metric name.</summary>
    public const string PromptAccuracy = "prompt-accuracy";

    /// <summary>The per-attribute metric of captioned shapes, e.g. colour-accuracy.</summary>
    public static string AttributeAccuracy(string attribute) => $"{attribute}-accuracy";

    public IReadOnlyDictionary<string, double> Run()
    {
        var labels = SampleLabels();
        if (reference.Labels is null)
            throw new PluginInputException("prompt-accuracy compares with the held-out images' classes, but the reference data has no labels");
        return options.Dataset == CaptionedDataset.Shapes ? ShapeAccuracies(labels) : ClassAccuracy(labels);
    }

    private long[] SampleLabels()
    {
        if (context.State.Samples?.Labels is not { } labels)
            throw new PluginInputException(
                "prompt-accuracy scores each sample against the class of the prompt it was drawn for, but the sample stage recorded no classes: " +
                "set class_labels: cycle (a class prompt per sample) or conditions: test on the sample stage (explicit prompts: carry no class)");
        if (labels.shape.Length != 1 || labels.shape[0] != samples.shape[0])
            throw new PluginInputException(
                $"prompt-accuracy: the sample stage recorded {labels.shape[0]} labels for {samples.shape[0]} samples; evaluate the samples the prompted sample stage drew");
        if (samples.dim() != 4 || !samples.shape.Skip(1).SequenceEqual(reference.Items.shape.Skip(1)))
            throw new PluginInputException(
                $"prompt-accuracy reads images shaped like the data [N, {string.Join(", ", reference.Items.shape.Skip(1))}], got samples [{string.Join(", ", samples.shape)}]");
        return labels.to_type(ScalarType.Int64).cpu().data<long>().ToArray();
    }

    private Dictionary<string, double> ClassAccuracy(long[] labels)
    {
        using var train = Train(shapeLabels: false);
        using var classifier = Classifier(train, classNames: reference.ClassNames?.Count ?? 0);
        return new Dictionary<string, double>
        {
            [PromptAccuracy] = Agreement(Predict(classifier, samples), labels),
            [ImageMetrics.Floor(PromptAccuracy)] = Agreement(Predict(classifier, reference.Items), reference.Labels!.data<long>().ToArray()),
        };
    }

    private Dictionary<string, double> ShapeAccuracies(long[] labels)
    {
        using var train = Train(shapeLabels: true);
        using var classifier = Classifier(train, CaptionedShapes.Shapes.Count);
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        Score(samples, labels, "");
        Score(reference.Items, reference.Labels!.data<long>().ToArray(), ImageMetrics.FloorSuffix);
        return results;

        void Score(Tensor images, long[] classes, string suffix)
        {
            var expected = classes.Select(c => CaptionedShapes.AttributesOf((int)c)).ToArray();
            var shapes = Predict(classifier, images);
            var read = AttributeReader.Read(images);
            var got = read.Select((r, i) => new[] { (int)shapes[i], r.Colour, r.Size, r.Position }).ToArray();
            for (int a = 0; a < CaptionedShapes.Attributes.Count; a++)
                results[AttributeAccuracy(CaptionedShapes.Attributes[a].Name) + suffix] = expected.Zip(got).Average(p => p.First[a] == p.Second[a] ? 1.0 : 0.0);
            results[PromptAccuracy + suffix] = expected.Zip(got).Average(p => p.First.SequenceEqual(p.Second) ? 1.0 : 0.0);
        }
    }

    /// <summary>The training images with their class labels, or (shapes) their shape labels.</summary>
    private ModalityData Train(bool shapeLabels)
    {
        using var set = CaptionedImages.Load(options, DataSplit.Train);
        var labels = shapeLabels
            ? tensor(set.Attributes!.Select(a => (long)a[0]).ToArray(), dtype: ScalarType.Int64)
            : set.Labels.alias();
        return new ModalityData(set.Images.alias(), labels, shapeLabels ? CaptionedShapes.Shapes : set.ClassNames);
    }

    private FeatureClassifier Classifier(ModalityData train, int classNames)
    {
        int classes = Math.Max(classNames, (int)train.Labels!.max().item<long>() + 1);
        return ClassifierCache.GetOrTrain(train, classes, options.ClassifierEpochs, options.ClassifierCache, context).Network;
    }

    private long[] Predict(FeatureClassifier classifier, Tensor images)
    {
        using var predicted = ClassifierCache.Predict(classifier, images, context.Device);
        return predicted.data<long>().ToArray();
    }

    private static double Agreement(long[] predicted, long[] expected) =>
        predicted.Length == 0 ? 0 : predicted.Zip(expected).Average(p => p.First == p.Second ? 1.0 : 0.0);
}
