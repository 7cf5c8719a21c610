namespace Diffusion.Denoisers.Layers;

/// <summary>
/// Encodes condition tokens [B, L] (0 = padding) into a cross-attention context [B, L, context_dim] and its mask [B, L]:
/// token and learned position embeddings, pre-LayerNorm Transformer encoder layers (self-attention that ignores padding,
/// then a GELU MLP), a final LayerNorm and a projection to the context width. It is trained with the denoiser. A row of
/// only padding is "no condition" (condition dropout, the unconditional half of guidance): it maps to a LEARNED null
/// sequence of L context vectors, all valid, rather than to an encoding of nothing.
/// </summary>
internal sealed class TextEncoder : nn.Module<Tensor, (Tensor Context, Tensor Mask)>
{
    private readonly long vocabSize;
    private readonly long length;
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;
    private readonly ModuleList<TextEncoderLayer> layers = new();
    private readonly LayerNorm norm;
    private readonly Linear proj;
    private readonly Parameter null_context;

    /// <param name="vocabSize">Condition vocabulary V (ids 0..V−1, 0 = padding).</param>
    /// <param name="length">Condition length L.</param>
    /// <param name="width">Width of the encoder.</param>
    /// <param name="depth">Transformer layers (0: embeddings only).</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="contextDim">Width of the output context.</param>
    public TextEncoder(long vocabSize, long length, long width, int depth, int heads, long contextDim) : base("text_encoder")
    {
        this.vocabSize = vocabSize;
        this.length = length;
        token_embedding = nn.Embedding(vocabSize, width, padding_idx: 0);
        position_embedding = nn.Embedding(length, width);
        for (int i = 0; i < depth; i++) layers.Add(new TextEncoderLayer(width, heads));
        norm = Normalization.Layer(width);
        proj = nn.Linear(width, contextDim);
        null_context = nn.Parameter(randn(length, contextDim) * 0.02);
        using (no_grad())
        {
            token_embedding.weight!.normal_(0, 0.02);
            token_embedding.weight![0].zero_();
            position_embedding.weight!.normal_(0, 0.02);
        }
        RegisterComponents();
    }

    /// <summary>Condition length L.</summary>
    public long Length => length;

    /// <summary>The context [B, L, context_dim] and mask [B, L] (true = attend) of <paramref name="tokens"/> [B, L].</summary>
    public override (Tensor Context, Tensor Mask) forward(Tensor tokens)
    {
        if (tokens.dim() != 2 || tokens.shape[1] != length || tokens.is_floating_point())
            throw new ArgumentException($"condition tokens must be integers [B, {length}] (batch, condition_length), got {tokens.dtype} [{string.Join(", ", tokens.shape)}]");
        tokens = tokens.to(ScalarType.Int64, token_embedding.weight!.device);
        using (var bounds = tokens.lt(0).logical_or(tokens.ge(vocabSize)).any())
        {
            if (bounds.item<bool>())
                throw new ArgumentException($"condition tokens must lie in 0..{vocabSize - 1} (the data's condition vocabulary)");
        }
        var valid = tokens.ne(0);
        var isNull = valid.any(1).logical_not(); // [B]
        // Null rows attend everywhere inside the encoder (their output is replaced), so no row has all keys masked.
        var attend = valid.logical_or(isNull.unsqueeze(1));
        var h = token_embedding.call(tokens) + position_embedding.call(arange(length, dtype: ScalarType.Int64, device: tokens.device)).unsqueeze(0);
        var mask = attend.unsqueeze(1).unsqueeze(1); // [B, 1, 1, L]
        foreach (var layer in layers) h = layer.call(h, mask);
        var context = proj.call(norm.call(h));
        context = where(isNull.reshape(-1, 1, 1), null_context.unsqueeze(0).to(context.dtype), context);
        return (context, attend);
    }
}

/// <summary>A pre-LayerNorm Transformer encoder layer whose self-attention skips masked (padding) keys.</summary>
internal sealed class TextEncoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int heads;
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear attn_out;
    private readonly LayerNorm norm2;
    private readonly Sequential mlp;

    public TextEncoderLayer(long width, int heads) : base(nameof(TextEncoderLayer))
    {
        this.heads = heads;
        norm1 = Normalization.Layer(width);
        qkv = nn.Linear(width, 3 * width);
        attn_out = nn.Linear(width, width);
        norm2 = Normalization.Layer(width);
        mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width));
        RegisterComponents();
    }

    /// <summary>Updates <paramref name="x"/> [B, L, D]; <paramref name="mask"/> [B, 1, 1, L] is true where keys are valid.</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        long b = x.shape[0], n = x.shape[1], d = x.shape[2];
        var parts = qkv.call(norm1.call(x)).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        MacCount.Attention(q, k, v);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask);
        x = x + attn_out.call(attended.transpose(1, 2).reshape(b, n, d));
        return x + mlp.call(norm2.call(x));
    }
}
