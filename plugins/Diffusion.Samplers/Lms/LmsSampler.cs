namespace Diffusion.Samplers.Lms;

/// <summary>
/// Linear multistep (Adams–Bashforth with variable steps; k-diffusion's <c>sample_lms</c>, diffusers' LMSDiscreteScheduler):
/// the derivatives dx/dσ at the last <c>order</c> noise levels are interpolated by a polynomial in σ, which is integrated
/// exactly over the next step. One model evaluation per step; starts at first order and climbs as history builds up.
/// </summary>
[Plugin(PluginKind.Sampler, "lms", Options = typeof(LmsOptions),
    Description = "Linear multistep in sigma (Adams-Bashforth, order up to 4, 1 evaluation per step).")]
public sealed class LmsSampler(LmsOptions options) : SigmaSampler<LmsOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => Options.Order;

    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var x = step.X;
        double sigma = step.Sigma, sigmaNext = step.Next;
        var denoised = step.Denoise(x, sigma);
        step.Remember(step.Derivative(x, denoised, sigma));
        var derivatives = step.History;

        // Polynomial in v = (σ − σ_i)/h through the stored levels, integrated over v in [0, 1].
        double h = sigmaNext - sigma;
        var nodes = Enumerable.Range(0, derivatives.Count).Select(j => (derivatives[j].Sigma - sigma) / h).ToArray();
        var next = x.alias();
        for (int j = 0; j < nodes.Length; j++)
            next = next + derivatives[j].Value * (h * Polynomials.Integral(Polynomials.LagrangeBasis(nodes, j), 0, 1));
        return next;
    }
}
