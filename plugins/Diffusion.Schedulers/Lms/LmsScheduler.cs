using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Lms;

/// <summary>
/// Linear multistep (Adams–Bashforth with variable steps; k-diffusion's <c>sample_lms</c>, diffusers' LMSDiscreteScheduler):
/// the derivatives dx/dσ at the last <c>order</c> noise levels are interpolated by a polynomial in σ, which is integrated
/// exactly over the next step. One model evaluation per step; starts at first order and climbs as history builds up.
/// </summary>
[Plugin(PluginKind.Scheduler, "lms", Options = typeof(LmsOptions),
    Description = "Linear multistep in sigma (Adams-Bashforth, order up to 4, 1 evaluation per step).")]
public sealed class LmsScheduler(LmsOptions options) : IScheduler
{
    private readonly LmsOptions options = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var model = new SigmaDenoiser(context);
        double[] sigmas = SigmaSchedules.For(options, context.Schedule, context.Steps);
        int steps = sigmas.Length - 1;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = SigmaDenoiser.Start(noise, sigmas[0]);
        var derivatives = new History(options.Order);
        for (int i = 0; i < steps; i++)
        {
            using var step = NewDisposeScope();
            double sigma = sigmas[i], sigmaNext = sigmas[i + 1];
            var denoised = model.Denoise(x, sigma);
            derivatives.Push(step, model.Derivative(x, denoised, sigma), sigma);

            // Polynomial in v = (σ − σ_i)/h through the stored levels, integrated over v in [0, 1].
            double h = sigmaNext - sigma;
            var nodes = Enumerable.Range(0, derivatives.Count).Select(j => (derivatives[j].Sigma - sigma) / h).ToArray();
            var next = x.alias();
            for (int j = 0; j < nodes.Length; j++)
                next = next + derivatives[j].Value * (h * Polynomials.Integral(Polynomials.LagrangeBasis(nodes, j), 0, 1));
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }
}
