namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// A trained autoencoder and the scaling factor that gives its latents unit variance (diffusers' <c>scaling_factor</c>:
/// 1/std of the encoded training latents; the diffusion model sees z·factor, the decoder gets z/factor).
/// </summary>
internal sealed class TrainedAutoencoder(KlAutoencoder network, double scalingFactor) : IDisposable
{
    /// <summary>Images encoded at once.</summary>
    private const int Batch = 64;

    public KlAutoencoder Network { get; } = network;
    public double ScalingFactor { get; } = scalingFactor;

    private Device Device => Network.parameters().First().device;

    /// <summary>Scaled latents (the posterior means times the factor) of images [N, C, H, W], on the CPU.</summary>
    public Tensor Encode(Tensor images) => Batched(images, x => Network.Encode(x).Mean * ScalingFactor);

    /// <summary>Images (model space) from scaled latents, on the CPU.</summary>
    public Tensor Decode(Tensor latents) => Batched(latents, z => Network.Decode(z / ScalingFactor));

    private Tensor Batched(Tensor input, Func<Tensor, Tensor> map)
    {
        using var noGrad = no_grad();
        bool training = Network.training;
        Network.eval();
        var parts = new List<Tensor>();
        try
        {
            for (long first = 0; first < input.shape[0]; first += Batch)
            {
                using var scope = NewDisposeScope();
                var part = input.narrow(0, first, Math.Min(Batch, input.shape[0] - first)).to(Device).to_type(ScalarType.Float32);
                parts.Add(scope.MoveToOuter(map(part).cpu()));
            }
            return cat(parts.ToArray());
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
            if (training) Network.train();
        }
    }

    public void Dispose() => Network.Dispose();
}
