namespace Diffusion.Denoisers.Transformer1D;

/// <summary>The network <see cref="Transformer1DDenoiser"/> builds (see there for the input and output contract).</summary>
internal sealed class Transformer1DNetwork : DenoiserModule
{
    private const int FrequencyDim = 256;

    private readonly long maxLength;
    private readonly long vocabSize;
    private readonly long vectorWidth;
    private readonly long contextDim;
    private readonly long crossDim; // width of the image encoder's patch tokens the blocks attend to, 0 for none

    private readonly Embedding? token_embedding;
    private readonly Linear? input_proj;
    private readonly Embedding position_embedding;
    private readonly ConditionEmbedding condition;
    private readonly ImageEncoder? image_encoder;
    private readonly ModuleList<AdaLNZeroBlock> blocks = new();
    private readonly AdaLNFinalLayer final_layer;

    /// <param name="options">Validated options.</param>
    /// <param name="maxLength">Sequence length L of the data (the longest sequence the network takes).</param>
    /// <param name="vocabSize">Vocabulary size V for discrete data, 0 for vectors.</param>
    /// <param name="vectorWidth">Width E of the vectors for continuous data, 0 for tokens.</param>
    /// <param name="numClasses">Classes to condition on, 0 for none.</param>
    /// <param name="conditionImageShape">[C, H, W] of the condition images to encode, or null for no image encoder.</param>
    public Transformer1DNetwork(Transformer1DOptions options, long maxLength, long vocabSize, long vectorWidth, int numClasses,
        long[]? conditionImageShape = null)
        : base("transformer1d")
    {
        this.maxLength = maxLength;
        this.vocabSize = vocabSize;
        this.vectorWidth = vectorWidth;
        contextDim = options.ContextDim;
        long hidden = options.HiddenSize;

        if (vocabSize > 0) token_embedding = nn.Embedding(vocabSize + 1, hidden); // index V = mask token
        else input_proj = nn.Linear(vectorWidth, hidden);
        position_embedding = nn.Embedding(maxLength, hidden);
        using (no_grad())
        {
            token_embedding?.weight!.normal_(0, 0.02);
            position_embedding.weight!.normal_(0, 0.02);
        }
        condition = new ConditionEmbedding(hidden, options.TimeConditioning ? FrequencyDim : 0, numClasses, contextDim);
        if (conditionImageShape is not null && options.ImageEncoderChannels > 0)
        {
            image_encoder = new ImageEncoder(conditionImageShape, options.ImageEncoderChannels, options.ImageEncoderDepth, hidden, options.ImageTokens);
            if (options.ImageTokens) crossDim = hidden;
        }
        long blockContext = crossDim > 0 ? crossDim : contextDim;
        for (int i = 0; i < options.Depth; i++)
            blocks.Add(new AdaLNZeroBlock(hidden, options.NumHeads, options.MlpRatio, hidden, blockContext, options.Dropout));
        final_layer = new AdaLNFinalLayer(hidden, hidden, vocabSize > 0 ? vocabSize : vectorWidth);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        if (conditioning?.Concat is not null)
            throw new ArgumentException("transformer1d does not take concat conditioning; put condition tokens in the sequence or use a context");
        if (contextDim == 0 && conditioning?.Context is not null)
            throw new ArgumentException("the conditioning has a context, but transformer1d was built with context_dim: 0; set context_dim to the context's width");
        var h = Embed(x);
        long b = h.shape[0], length = h.shape[1];
        var context = contextDim > 0 ? ContextInput.From(conditioning, b, contextDim, h.device, h.dtype) : null;
        h = h + position_embedding.call(arange(length, dtype: ScalarType.Int64, device: h.device)).unsqueeze(0);
        var c = condition.Embed(TimestepEmbedding.For(t, h), h.dtype, conditioning, context);
        if (image_encoder is not null)
        {
            var (pooled, patches) = image_encoder.Encode(conditioning?.Image, b, h.device);
            c = c + pooled;
            if (patches is not null) context = new ContextInput(patches, null);
        }
        foreach (var block in blocks) h = block.call(h, c, context);
        return final_layer.call(h, c);
    }

    /// <summary>Token indices, vocabulary weights or vectors to [B, L, hidden].</summary>
    private Tensor Embed(Tensor x)
    {
        if (token_embedding is not null)
        {
            if (x.dim() == 2 && !x.is_floating_point())
            {
                CheckLength(x.shape[1]);
                return token_embedding.call(x.to(ScalarType.Int64));
            }
            if (x.dim() == 3 && x.is_floating_point() && x.shape[2] == vocabSize)
            {
                CheckLength(x.shape[1]);
                var table = token_embedding.weight!.narrow(0, 0, vocabSize);
                MacCount.Add(x.numel() * table.shape[1]);
                return matmul(x, table);
            }
            throw new ArgumentException(
                $"transformer1d (vocabulary {vocabSize}) expects token indices [B, L] (integers in 0..{vocabSize}, {vocabSize} = mask) or vocabulary weights [B, L, {vocabSize}] (float), got {x.dtype} [{string.Join(", ", x.shape)}]");
        }
        if (x.dim() != 3 || x.shape[2] != vectorWidth || !x.is_floating_point())
            throw new ArgumentException($"transformer1d expects vectors [B, L, {vectorWidth}] (float), got {x.dtype} [{string.Join(", ", x.shape)}]");
        CheckLength(x.shape[1]);
        return input_proj!.call(x);
    }

    private void CheckLength(long length)
    {
        if (length < 1 || length > maxLength)
            throw new ArgumentException($"transformer1d was built for sequences of up to {maxLength} positions, got {length}");
    }
}
