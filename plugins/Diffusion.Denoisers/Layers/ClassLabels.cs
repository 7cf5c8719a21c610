namespace Diffusion.Denoisers.Layers;

/// <summary>Class labels as embedding indices.</summary>
internal static class ClassLabels
{
    /// <summary>
    /// The labels to embed: <paramref name="labels"/> [B] (the index <paramref name="numClasses"/> meaning "no class"),
    /// or "no class" for every row when none are given.
    /// </summary>
    public static Tensor Indices(Tensor? labels, long batch, int numClasses, Device device)
    {
        if (labels is null)
            return full(batch, numClasses, dtype: ScalarType.Int64, device: device);
        if (labels.shape.Length != 1 || labels.shape[0] != batch)
            throw new ArgumentException($"class labels must have shape [{batch}] (one per batch row), got [{string.Join(", ", labels.shape)}]");
        return labels.to(ScalarType.Int64, device);
    }
}
