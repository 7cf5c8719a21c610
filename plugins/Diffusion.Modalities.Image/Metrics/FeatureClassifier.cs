using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Diffusion.Modalities.Image.Metrics;

/// <summary>
/// The small classifier whose penultimate activations are the features of fd, kid and precision-recall (the role
/// Inception-v3 plays in FID, here trained on the dataset itself): two 3x3 convolutions (16 and 32 channels), each
/// followed by ReLU and 2x2 max pooling, average pooling to at most 7x7, a 64-unit ReLU layer (the features) and a
/// linear layer to the class logits.
/// </summary>
internal sealed class FeatureClassifier : Module<Tensor, Tensor>
{
    /// <summary>Size of the feature vectors.</summary>
    public const int FeatureSize = 64;

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear hidden;
    private readonly Linear head;
    private readonly long pooled;

    public FeatureClassifier(int channels, int side, int classes) : base("feature_classifier")
    {
        pooled = Math.Clamp(side / 4, 1, 7);
        conv1 = Conv2d(channels, 16, 3, padding: 1);
        conv2 = Conv2d(16, 32, 3, padding: 1);
        hidden = Linear(32 * pooled * pooled, FeatureSize);
        head = Linear(FeatureSize, classes);
        RegisterComponents();
    }

    /// <summary>
    /// Sets every weight from <paramref name="generator"/> (uniform in ±1/√fan-in, PyTorch's default scale), so the
    /// initial network depends on the seed alone, not on the global random state.
    /// </summary>
    public void Initialise(Generator generator)
    {
        using var noGrad = no_grad();
        Fill(conv1.weight!, conv1.bias!, generator);
        Fill(conv2.weight!, conv2.bias!, generator);
        Fill(hidden.weight, hidden.bias!, generator);
        Fill(head.weight, head.bias!, generator);
    }

    private static void Fill(Tensor weight, Tensor bias, Generator generator)
    {
        using var scope = NewDisposeScope();
        double bound = 1.0 / Math.Sqrt(weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        weight.copy_((rand(weight.shape, generator: generator) * 2 - 1) * bound);
        bias.copy_((rand(bias.shape, generator: generator) * 2 - 1) * bound);
    }

    /// <summary>The penultimate activations [N, 64] of images [N, C, S, S].</summary>
    public Tensor Features(Tensor x)
    {
        x = functional.max_pool2d(functional.relu(conv1.call(x)), 2);
        x = functional.max_pool2d(functional.relu(conv2.call(x)), 2);
        x = functional.adaptive_avg_pool2d(x, [pooled, pooled]);
        return functional.relu(hidden.call(x.flatten(1)));
    }

    /// <summary>Class logits [N, classes].</summary>
    public override Tensor forward(Tensor x) => head.call(Features(x));
}
