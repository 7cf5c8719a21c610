namespace Diffusion.Samplers.Sampling;

/// <summary>
/// The step skeleton of the multistep DPM-Solver++ family (2M, 2M SDE, 3M SDE): one denoiser evaluation D_i, the final
/// step onto σ = 0 returns D_i itself, every other step advances in λ = −log σ by h = log(σ_i / σ_(i+1)) from D_i and
/// the remembered earlier D's, and D_i is remembered for the next steps.
/// </summary>
/// <typeparam name="TOptions">The sampler's options.</typeparam>
public abstract class DataPredictionMultistep<TOptions>(TOptions options) : SigmaSampler<TOptions>(options) where TOptions : SigmaSamplerOptions
{
    /// <inheritdoc />
    protected sealed override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        var denoised = step.Denoise(x, step.Sigma);
        var next = step.Next == 0 ? denoised.alias() : Advance(step, x, denoised, Math.Log(step.Sigma / step.Next));
        step.Remember(denoised);
        return next;
    }

    /// <summary>
    /// x at σ_(i+1) from x at σ_i, the denoised estimate <paramref name="denoised"/> there and <c>step.History</c> (newest
    /// first), for a step of <paramref name="h"/> in λ; never called for the final step onto σ = 0.
    /// </summary>
    private protected abstract Tensor Advance(SigmaStep step, Tensor x, Tensor denoised, double h);

    /// <summary>The ratio r of the step from history entry <paramref name="index"/> to the one before it (or to σ_i), over h.</summary>
    private protected static double Ratio(SigmaStep step, int index, double h) =>
        Math.Log(step.History[index].Sigma / (index == 0 ? step.Sigma : step.History[index - 1].Sigma)) / h;
}
