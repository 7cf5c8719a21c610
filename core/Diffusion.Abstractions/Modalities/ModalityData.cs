using Diffusion.Abstractions.Denoisers;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Modalities;

/// <summary>A dataset held in memory, in model space (images in [-1, 1]).</summary>
/// <param name="Items">All items [N, ...] (float for continuous data, long for tokens), on the CPU.</param>
/// <param name="Labels">Class indices [N] (long), or null when unlabelled.</param>
/// <param name="ClassNames">Names of the classes, or null.</param>
public sealed record ModalityData(Tensor Items, Tensor? Labels, IReadOnlyList<string>? ClassNames) : IDisposable
{
    /// <summary>Number of items.</summary>
    public long Count => Items.shape[0];

    /// <summary>
    /// Condition tokens of each item [N, L] (long, 0 = padding), such as the caption an image is generated from, or null.
    /// The train stage passes the batch's rows as <see cref="Conditioning.Tokens"/>.
    /// </summary>
    public Tensor? ConditionTokens { get; init; }

    /// <summary>
    /// A condition image of each item [N, C, H, W] (model space), such as the image a caption describes, or null. The train
    /// stage passes the batch's rows as <see cref="Conditioning.Image"/>.
    /// </summary>
    public Tensor? ConditionImages { get; init; }

    /// <summary>The text of each item's condition (its caption or prompt), for reports and metrics, or null.</summary>
    public IReadOnlyList<string>? ConditionTexts { get; init; }

    /// <summary>
    /// The conditioning of items <paramref name="start"/> .. start+count−1 on <paramref name="device"/>: their labels,
    /// condition tokens and condition images (whatever the data has), or null when it has none.
    /// </summary>
    public Conditioning? ItemConditioning(long start, long count, Device device)
    {
        var labels = Labels?.narrow(0, start, count).to(device);
        var tokens = ConditionTokens?.narrow(0, start, count).to(device);
        var images = ConditionImages?.narrow(0, start, count).to(device);
        return labels is null && tokens is null && images is null
            ? null
            : new Conditioning(ClassLabels: labels) { Tokens = tokens, Image = images };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Items.Dispose();
        Labels?.Dispose();
        ConditionTokens?.Dispose();
        ConditionImages?.Dispose();
    }
}
