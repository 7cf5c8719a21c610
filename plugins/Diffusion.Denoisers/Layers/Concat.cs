namespace Diffusion.Denoisers.Layers;

/// <summary>Concatenated-input conditioning (<c>Conditioning.Concat</c>), for image networks.</summary>
internal static class Concat
{
    /// <summary>
    /// <paramref name="x"/> [B, C, H, W] with the <paramref name="extraChannels"/> channels of <paramref name="concat"/>
    /// appended, checked: the network was built for exactly that many.
    /// </summary>
    public static Tensor Append(Tensor x, Tensor? concat, int extraChannels, string network)
    {
        if (extraChannels == 0)
        {
            if (concat is not null)
                throw new ArgumentException($"the conditioning has concat channels, but {network} was built with extra_in_channels: 0; set extra_in_channels to their count");
            return x;
        }
        if (concat is null)
            throw new ArgumentException($"{network} was built with extra_in_channels: {extraChannels}, but the conditioning has no concat channels");
        if (concat.dim() != 4 || concat.shape[0] != x.shape[0] || concat.shape[1] != extraChannels || concat.shape[2] != x.shape[2] || concat.shape[3] != x.shape[3])
            throw new ArgumentException(
                $"concat conditioning must have shape [{x.shape[0]}, {extraChannels}, {x.shape[2]}, {x.shape[3]}], got [{string.Join(", ", concat.shape)}]");
        return cat([x, concat.to(x.dtype, x.device)], dim: 1);
    }
}
