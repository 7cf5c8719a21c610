namespace Diffusion.Denoisers.Mlp;

/// <summary>The network <see cref="MlpDenoiser"/> builds.</summary>
internal sealed class MlpNetwork : DenoiserModule
{
    private const int FrequencyDim = 128;

    private readonly long[] itemShape;
    private readonly long features;
    private readonly int extraIn;

    private readonly Linear input;
    private readonly ConditionEmbedding condition;
    private readonly ModuleList<MlpBlock> blocks = new();
    private readonly LayerNorm norm_out;
    private readonly Linear output;

    public MlpNetwork(MlpOptions options, long[] itemShape, int numClasses) : base("mlp")
    {
        this.itemShape = (long[])itemShape.Clone();
        features = itemShape.Aggregate(1L, (a, b) => a * b);
        extraIn = options.ExtraInChannels;
        long hidden = options.HiddenSize;

        input = nn.Linear(features + extraIn, hidden);
        condition = new ConditionEmbedding(hidden, FrequencyDim, numClasses, contextDim: 0);
        for (int i = 0; i < options.Depth; i++) blocks.Add(new MlpBlock(hidden, hidden, options.Dropout));
        norm_out = Normalization.Layer(hidden);
        output = nn.Linear(hidden, features);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        if (x.dim() != itemShape.Length + 1 || !x.shape.Skip(1).SequenceEqual(itemShape))
            throw new ArgumentException($"mlp expects items of shape [{string.Join(", ", itemShape)}] (batch first), got [{string.Join(", ", x.shape)}]");
        long b = x.shape[0];
        var flat = x.reshape(b, features);
        flat = AppendConcat(flat, conditioning?.Concat);
        if (conditioning?.Context is not null)
            throw new ArgumentException("mlp does not take a context; use class labels or concat features");

        var c = condition.Embed(TimestepEmbedding.For(t, x), x.dtype, conditioning, null);
        var h = input.call(flat);
        foreach (var block in blocks) h = block.call(h, c);
        return output.call(nn.functional.silu(norm_out.call(h))).reshape([b, .. itemShape]);
    }

    private Tensor AppendConcat(Tensor flat, Tensor? concat)
    {
        if (extraIn == 0)
        {
            if (concat is not null)
                throw new ArgumentException("the conditioning has concat features, but mlp was built with extra_in_channels: 0; set extra_in_channels to their count");
            return flat;
        }
        if (concat is null)
            throw new ArgumentException($"mlp was built with extra_in_channels: {extraIn}, but the conditioning has no concat features");
        var extra = concat.reshape(concat.shape[0], -1);
        if (extra.shape[0] != flat.shape[0] || extra.shape[1] != extraIn)
            throw new ArgumentException($"concat conditioning must have {extraIn} features per row ({flat.shape[0]} rows), got [{string.Join(", ", concat.shape)}]");
        return cat([flat, extra.to(flat.dtype, flat.device)], dim: 1);
    }
}
