namespace Diffusion.Denoisers.DiT;

/// <summary>The network <see cref="DiTDenoiser"/> builds.</summary>
internal sealed class DiTNetwork : DenoiserModule
{
    private const int FrequencyDim = 256;

    private readonly int patch;
    private readonly int channels;
    private readonly int extraInChannels;
    private readonly long hidden;
    private readonly long contextDim;

    private readonly Conv2d patch_embed;
    private readonly ConditionEmbedding condition;
    private readonly ModuleList<AdaLNZeroBlock> blocks = new();
    private readonly AdaLNFinalLayer final_layer;

    public DiTNetwork(DiTOptions options, int channels, int numClasses) : base("dit")
    {
        patch = options.PatchSize;
        this.channels = channels;
        extraInChannels = options.ExtraInChannels;
        hidden = options.HiddenSize;
        contextDim = options.ContextDim;

        patch_embed = nn.Conv2d(channels + extraInChannels, hidden, patch, stride: patch);
        condition = new ConditionEmbedding(hidden, FrequencyDim, numClasses, contextDim);
        for (int i = 0; i < options.Depth; i++)
            blocks.Add(new AdaLNZeroBlock(hidden, options.NumHeads, options.MlpRatio, hidden, contextDim, options.Dropout));
        final_layer = new AdaLNFinalLayer(hidden, hidden, (long)patch * patch * channels);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        if (x.dim() != 4 || x.shape[1] != channels)
            throw new ArgumentException($"dit expects images [B, {channels}, H, W], got [{string.Join(", ", x.shape)}]");
        long b = x.shape[0], height = x.shape[2], width = x.shape[3];
        var context = contextDim > 0 ? ContextInput.From(conditioning, b, contextDim, x.device, x.dtype) : null;
        if (contextDim == 0 && conditioning?.Context is not null)
            throw new ArgumentException("the conditioning has a context, but dit was built with context_dim: 0; set context_dim to the context's width");

        var input = Concat.Append(x, conditioning?.Concat, extraInChannels, "dit");
        long padH = (patch - height % patch) % patch, padW = (patch - width % patch) % patch;
        if (padH > 0 || padW > 0) input = nn.functional.pad(input, [0, padW, 0, padH]);
        long rows = (height + padH) / patch, cols = (width + padW) / patch;

        var tokens = patch_embed.call(input).flatten(2).transpose(1, 2); // [B, N, D]
        tokens = tokens + PatchPositions.SineCosine(rows, cols, hidden, x.device).to(tokens.dtype).unsqueeze(0);
        var c = condition.Embed(TimestepEmbedding.For(t, x), x.dtype, conditioning, context);
        foreach (var block in blocks) tokens = block.call(tokens, c, context);
        var patches = final_layer.call(tokens, c); // [B, N, p·p·C]

        var image = patches.reshape(b, rows, cols, patch, patch, channels)
            .permute(0, 5, 1, 3, 2, 4)
            .reshape(b, channels, rows * patch, cols * patch);
        return padH > 0 || padW > 0 ? image.narrow(2, 0, height).narrow(3, 0, width) : image;
    }
}
