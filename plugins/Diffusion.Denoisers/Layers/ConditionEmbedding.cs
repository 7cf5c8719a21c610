namespace Diffusion.Denoisers.Layers;

/// <summary>
/// The conditioning vector c [B, E] that modulates a network: an MLP of sinusoidal timestep features, plus a class
/// embedding (index = class count for "no class") and a projection of the mean valid context token, when present.
/// </summary>
internal sealed class ConditionEmbedding : nn.Module<Tensor, Conditioning?, ContextInput?, Tensor>
{
    private readonly int frequencyDim;
    private readonly int numClasses;
    private readonly Sequential? time_mlp;
    private readonly Embedding? class_embedding;
    private readonly Linear? context_proj;

    /// <param name="dim">Width E of the embedding.</param>
    /// <param name="frequencyDim">Sinusoidal features of the timestep (even); 0 ignores the timestep.</param>
    /// <param name="numClasses">Classes to embed, 0 for none.</param>
    /// <param name="contextDim">Width of the context to pool and project, 0 for none.</param>
    public ConditionEmbedding(long dim, int frequencyDim, int numClasses, long contextDim) : base(nameof(ConditionEmbedding))
    {
        this.frequencyDim = frequencyDim;
        this.numClasses = numClasses;
        if (frequencyDim > 0) time_mlp = nn.Sequential(nn.Linear(frequencyDim, dim), nn.SiLU(), nn.Linear(dim, dim));
        if (numClasses > 0) class_embedding = nn.Embedding(numClasses + 1, dim);
        if (contextDim > 0) context_proj = nn.Linear(contextDim, dim);
        Dim = dim;
        RegisterComponents();
    }

    /// <summary>Width E.</summary>
    public long Dim { get; }

    /// <summary>
    /// c for timesteps <paramref name="t"/> [B] (in the network's dtype, which c takes) and the conditioning (a zero vector
    /// when there is nothing to embed).
    /// </summary>
    public override Tensor forward(Tensor t, Conditioning? conditioning, ContextInput? context) => Embed(t, t.dtype, conditioning, context);

    /// <summary>
    /// c in <paramref name="dtype"/> (the network's) for timesteps <paramref name="t"/> [B] from
    /// <see cref="TimestepEmbedding.For"/> (float32 for a half-precision network, so neighbouring timesteps stay apart).
    /// </summary>
    public Tensor Embed(Tensor t, ScalarType dtype, Conditioning? conditioning, ContextInput? context)
    {
        long batch = t.shape[0];
        var c = time_mlp is null
            ? zeros([batch, Dim], dtype: dtype, device: t.device)
            : time_mlp.call(TimestepEmbedding.Sinusoidal(t, frequencyDim, dtype));
        if (class_embedding is not null)
            c = c + class_embedding.call(ClassLabels.Indices(conditioning?.ClassLabels, batch, numClasses, t.device));
        if (context_proj is not null && context is not null)
            c = c + context_proj.call(context.Pooled());
        return c;
    }
}
