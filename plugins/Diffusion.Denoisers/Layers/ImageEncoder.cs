namespace Diffusion.Denoisers.Layers;

/// <summary>
/// A small CNN over a condition image [B, C, H, W] (model space, [−1, 1]) for image-conditioned sequence models
/// (image-to-text): a 3x3 stem, then <c>depth</c> stride-2 stages (GroupNorm, SiLU, 3x3 convolution; the first doubles the
/// channels), then GroupNorm and SiLU. It gives a pooled vector [B, D] (the spatial mean, projected; added to the
/// adaLN conditioning) and, when asked, the feature map as patch tokens [B, P, D] (projected, with learned position
/// embeddings; for cross-attention). An all-zero image is "no condition" (what condition dropout and guidance make of
/// it), and a missing image means "no condition" for every row: both get the learned null embeddings instead.
/// </summary>
internal sealed class ImageEncoder : nn.Module
{
    private readonly long[] imageShape;
    private readonly Conv2d stem;
    private readonly Sequential stages;
    private readonly Sequential output_norm;
    private readonly Linear pooled_proj;
    private readonly Linear? token_proj;
    private readonly Parameter? token_positions;
    private readonly Parameter null_pooled;
    private readonly Parameter? null_tokens;

    /// <param name="imageShape">[C, H, W] of the condition images.</param>
    /// <param name="channels">Channels of the stem (the stages have twice as many).</param>
    /// <param name="depth">Stride-2 stages, each halving the side (rounded up).</param>
    /// <param name="dim">Width D of the pooled vector and the tokens.</param>
    /// <param name="tokens">Whether to give patch tokens for cross-attention too.</param>
    public ImageEncoder(long[] imageShape, int channels, int depth, long dim, bool tokens) : base(nameof(ImageEncoder))
    {
        if (imageShape is not [var c, var h, var w] || c < 1 || h < 1 || w < 1)
            throw new ArgumentException($"condition images must have a shape [C, H, W], got [{string.Join(", ", imageShape ?? [])}]", nameof(imageShape));
        this.imageShape = imageShape;
        stem = nn.Conv2d(c, channels, 3, padding: 1);
        stages = nn.Sequential();
        long width = channels;
        for (int i = 0; i < depth; i++)
        {
            long next = 2L * channels;
            stages.append(Normalization.Group(Groups(width), width));
            stages.append(nn.SiLU());
            stages.append(nn.Conv2d(width, next, 3, stride: 2, padding: 1));
            width = next;
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        output_norm = nn.Sequential(Normalization.Group(Groups(width), width), nn.SiLU());
        pooled_proj = nn.Linear(width, dim);
        null_pooled = nn.Parameter(zeros(dim).normal_(0, 0.02));
        if (tokens)
        {
            Patches = h * w;
            token_proj = nn.Linear(width, dim);
            token_positions = nn.Parameter(zeros(Patches, dim).normal_(0, 0.02));
            null_tokens = nn.Parameter(zeros(Patches, dim).normal_(0, 0.02));
        }
        RegisterComponents();
    }

    /// <summary>Patch tokens per image (0 without tokens).</summary>
    public long Patches { get; }

    /// <summary>
    /// The pooled vectors [B, D] and, with tokens on, the patch tokens [B, P, D] of <paramref name="image"/> [B, C, H, W]; null
    /// (no image) gives the null embeddings for all <paramref name="batch"/> rows, and all-zero rows give them for those rows.
    /// </summary>
    public (Tensor Pooled, Tensor? Tokens) Encode(Tensor? image, long batch, Device device)
    {
        if (image is null)
        {
            var pooledNull = null_pooled.unsqueeze(0).expand(batch, -1);
            var tokensNull = null_tokens?.unsqueeze(0).expand(batch, -1, -1);
            return (pooledNull, tokensNull);
        }
        if (image.dim() != 4 || image.shape[0] != batch || !image.shape.Skip(1).SequenceEqual(imageShape))
            throw new ArgumentException(
                $"the condition image must have shape [{batch}, {string.Join(", ", imageShape)}] (batch, channels, height, width), got [{string.Join(", ", image.shape)}]");
        var x = image.to(stem.weight!.dtype, device);
        var isNull = x.flatten(1).abs().amax([1]).eq(0); // [B]: dropped condition
        var features = output_norm.call(stages.call(stem.call(x)));          // [B, C', h, w]
        var pooled = pooled_proj.call(features.mean([2, 3]));
        pooled = where(isNull.unsqueeze(1), null_pooled.unsqueeze(0), pooled);
        if (token_proj is null) return (pooled, null);
        var patches = features.flatten(2).transpose(1, 2);                       // [B, P, C']
        var tokens = token_proj.call(patches) + token_positions!.unsqueeze(0);
        tokens = where(isNull.reshape(-1, 1, 1), null_tokens!.unsqueeze(0), tokens);
        return (pooled, tokens);
    }

    /// <summary>Groups of a GroupNorm over <paramref name="channels"/>: the largest of 8, 4, 2, 1 that divides it.</summary>
    private static long Groups(long channels) => new long[] { 8, 4, 2, 1 }.First(g => channels % g == 0);
}
