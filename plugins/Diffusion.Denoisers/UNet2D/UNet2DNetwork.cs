namespace Diffusion.Denoisers.UNet2D;

/// <summary>The network <see cref="UNet2DDenoiser"/> builds.</summary>
internal sealed class UNet2DNetwork : DenoiserModule
{
    private readonly int levels;
    private readonly int resBlocks;
    private readonly int embedInputDim;
    private readonly int inChannels;
    private readonly int extraInChannels;
    private readonly int numClasses;
    private readonly long contextDim;

    private readonly Conv2d conv_in;
    private readonly Sequential time_mlp;
    private readonly Embedding? class_embedding;
    private readonly Linear? context_proj;
    private readonly TextEncoder? text_encoder;
    private readonly ModuleList<UNetBlock> down_blocks = new();
    private readonly ModuleList<Conv2d> downsamplers = new();
    private readonly UNetBlock mid_block1;
    private readonly ResidualBlock mid_block2;
    private readonly ModuleList<UNetBlock> up_blocks = new();
    private readonly ModuleList<Upsample> upsamplers = new();
    private readonly GroupNorm norm_out;
    private readonly Conv2d conv_out;

    /// <param name="options">Validated options.</param>
    /// <param name="channels">Image channels C.</param>
    /// <param name="height">Image height, used to decide where attention goes.</param>
    /// <param name="numClasses">Class count for a class embedding, 0 for none.</param>
    /// <param name="conditionVocabSize">Condition token vocabulary for the text encoder (used when text_encoder_layers > 0).</param>
    /// <param name="conditionLength">Condition token length for the text encoder.</param>
    public UNet2DNetwork(UNet2DOptions options, int channels, int height, int numClasses, int conditionVocabSize = 0, int conditionLength = 0)
        : base("unet2d")
    {
        levels = options.ChannelMults.Length;
        resBlocks = options.ResBlocks;
        embedInputDim = options.BaseChannels;
        inChannels = channels;
        extraInChannels = options.ExtraInChannels;
        this.numClasses = numClasses;
        contextDim = options.ContextDim;
        int groups = options.Groups;
        int heads = options.NumHeads;
        long embedDim = 4L * options.BaseChannels;
        var attentionAt = new HashSet<int>(options.AttentionResolutions);

        time_mlp = nn.Sequential(nn.Linear(embedInputDim, embedDim), nn.SiLU(), nn.Linear(embedDim, embedDim));
        if (numClasses > 0)
            class_embedding = nn.Embedding(numClasses + 1, embedDim); // index numClasses = "no class"
        if (contextDim > 0)
            context_proj = nn.Linear(contextDim, embedDim); // the pooled context joins the time embedding
        if (options.TextEncoderLayers > 0)
            text_encoder = new TextEncoder(conditionVocabSize, conditionLength, options.TextEncoderWidth, options.TextEncoderLayers,
                options.TextEncoderHeads, contextDim);

        conv_in = nn.Conv2d(channels + extraInChannels, options.BaseChannels, 3, padding: 1);

        var skipChannels = new Stack<long>();
        long current = options.BaseChannels;
        skipChannels.Push(current);
        int size = height;
        var sizes = new int[levels];
        for (int level = 0; level < levels; level++)
        {
            sizes[level] = size;
            long outChannels = (long)options.BaseChannels * options.ChannelMults[level];
            for (int r = 0; r < resBlocks; r++)
            {
                down_blocks.Add(Block(current, outChannels, attentionAt.Contains(size)));
                current = outChannels;
                skipChannels.Push(current);
            }
            if (level < levels - 1)
            {
                downsamplers.Add(nn.Conv2d(current, current, 3, stride: 2, padding: 1));
                skipChannels.Push(current);
                size = (size + 1) / 2;
            }
        }

        mid_block1 = Block(current, current, attention: true);
        mid_block2 = new ResidualBlock(current, current, embedDim, groups, options.Dropout);

        for (int level = levels - 1; level >= 0; level--)
        {
            long outChannels = (long)options.BaseChannels * options.ChannelMults[level];
            for (int r = 0; r < resBlocks + 1; r++)
            {
                up_blocks.Add(Block(current + skipChannels.Pop(), outChannels, attentionAt.Contains(sizes[level])));
                current = outChannels;
            }
            if (level > 0) upsamplers.Add(new Upsample(current));
        }

        norm_out = Normalization.Group(groups, current);
        conv_out = nn.Conv2d(current, channels, 3, padding: 1);
        RegisterComponents();

        UNetBlock Block(long cin, long cout, bool attention) => new(
            new ResidualBlock(cin, cout, embedDim, groups, options.Dropout),
            attention ? new AttentionBlock(cout, heads, groups) : null,
            attention && contextDim > 0 ? new CrossAttentionBlock(cout, contextDim, heads, groups) : null);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        if (x.dim() != 4 || x.shape[1] != inChannels)
            throw new ArgumentException($"unet2d expects images [B, {inChannels}, H, W], got [{string.Join(", ", x.shape)}]");
        if (contextDim == 0 && conditioning?.Context is not null)
            throw new ArgumentException("the conditioning has a context, but unet2d was built with context_dim: 0; set context_dim to the context's width");
        if (text_encoder is not null) conditioning = EncodeText(conditioning, x.shape[0], x.device);
        var context = contextDim > 0 ? ContextInput.From(conditioning, x.shape[0], contextDim, x.device, x.dtype) : null;

        var embedding = time_mlp.call(TimestepEmbedding.Sinusoidal(TimestepEmbedding.For(t, x), embedInputDim, x.dtype));
        if (class_embedding is not null)
            embedding = embedding + class_embedding.call(ClassLabels.Indices(conditioning?.ClassLabels, x.shape[0], numClasses, x.device));
        if (context_proj is not null)
            embedding = embedding + context_proj.call(context!.Pooled());

        var h = conv_in.call(Concat.Append(x, conditioning?.Concat, extraInChannels, "unet2d"));
        var skips = new Stack<Tensor>();
        skips.Push(h);
        for (int level = 0, block = 0; level < levels; level++)
        {
            for (int r = 0; r < resBlocks; r++, block++)
            {
                h = down_blocks[block].call(h, embedding, context);
                skips.Push(h);
            }
            if (level < levels - 1)
            {
                h = downsamplers[level].call(h);
                skips.Push(h);
            }
        }

        h = mid_block2.call(mid_block1.call(h, embedding, context), embedding);

        for (int level = levels - 1, block = 0, up = 0; level >= 0; level--)
        {
            for (int r = 0; r < resBlocks + 1; r++, block++)
                h = up_blocks[block].call(cat([h, skips.Pop()], dim: 1), embedding, context);
            if (level > 0)
                h = upsamplers[up++].call(h, skips.Peek());
        }

        return conv_out.call(nn.functional.silu(norm_out.call(h)));
    }

    /// <summary>
    /// The conditioning with its condition tokens encoded as the context; no tokens (unconditional sampling) means rows of
    /// only padding, which the encoder maps to its learned null condition.
    /// </summary>
    private Conditioning EncodeText(Conditioning? conditioning, long batch, Device device)
    {
        if (conditioning?.Context is not null)
            throw new ArgumentException("unet2d with a text encoder makes its context from the condition tokens; pass tokens, not a context");
        var tokens = conditioning?.Tokens;
        if (tokens is not null && (tokens.dim() != 2 || tokens.shape[0] != batch))
            throw new ArgumentException($"condition tokens must have shape [{batch}, L] (one row per batch item), got [{string.Join(", ", tokens.shape)}]");
        var (context, mask) = text_encoder!.call(tokens ?? zeros([batch, text_encoder.Length], dtype: ScalarType.Int64, device: device));
        return (conditioning ?? new Conditioning()) with { Context = context, ContextMask = mask };
    }
}
