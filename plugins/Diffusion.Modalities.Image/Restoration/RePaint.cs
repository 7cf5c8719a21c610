using Diffusion.Abstractions.Samplers;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// RePaint (Lugmayr et al. 2022): inpainting with an unconditional model. The reverse process runs over
/// <see cref="ISamplingContext.Steps"/> noise levels τ_0 &lt; … &lt; τ_{S−1} (evenly spaced training timesteps); after each
/// ancestral step down to a level, the known pixels are replaced by the ground truth noised to that level
/// (√ᾱ·x_0 + √(1 − ᾱ)·ε), so the generated region keeps being pulled towards agreement with them. Resampling: after every
/// <c>jumpLength</c> steps down, the sample is re-noised <c>jumpLength</c> levels up with the forward process and
/// denoised again, <c>jumpNSample − 1</c> times, which gives the model time to harmonise the two regions.
/// <c>jumpNSample = 1</c> is the plain "replace the known pixels" method. The last step takes the model's clean estimate
/// and puts the ground truth back on the known pixels, so they are exact.
/// </summary>
internal static class RePaint
{
    /// <summary>The training timesteps of the noise levels, ascending: <paramref name="steps"/> values evenly spaced from 0 to T − 1.</summary>
    public static int[] Levels(int timesteps, int steps)
    {
        int count = Math.Clamp(steps, 1, timesteps);
        if (count == 1) return [timesteps - 1];
        var levels = new int[count];
        for (int i = 0; i < count; i++) levels[i] = (int)Math.Round((double)i * (timesteps - 1) / (count - 1), MidpointRounding.ToEven);
        return levels;
    }

    /// <summary>
    /// The order in which levels are visited: indices into <see cref="Levels"/> from S − 1 down to −1 (the clean image),
    /// where a move up by one is a re-noising step and a move down by one a denoising step.
    /// </summary>
    public static List<int> Path(int levels, int jumpLength, int jumpNSample)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(jumpLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(jumpNSample, 1);
        var path = new List<int> { levels - 1 };
        var jumps = new int[levels];
        int i = levels - 1;
        while (i >= 0)
        {
            path.Add(--i);
            if (i < 0) break;
            int descended = levels - 1 - i;
            if (jumpNSample > 1 && descended % jumpLength == 0 && jumps[i] < jumpNSample - 1)
            {
                jumps[i]++;
                for (int k = 0; k < jumpLength; k++) path.Add(++i);
            }
        }
        return path;
    }

    /// <summary>Model evaluations of a run: the steps down in <see cref="Path"/>.</summary>
    public static int Evaluations(List<int> path)
    {
        int count = 0;
        for (int k = 1; k < path.Count; k++) if (path[k] < path[k - 1]) count++;
        return count;
    }

    /// <summary>
    /// Inpaints <paramref name="known"/> [B, ...] (model space) where <paramref name="mask"/> (1 = known, broadcastable) is 0.
    /// Noise comes from <see cref="ISamplingContext.RandnLike"/> in a fixed order, so a batch's result depends only on its
    /// generators. <paramref name="clip"/> clamps the model's clean estimate to [−1, 1] before each step.
    /// </summary>
    public static Tensor Run(Tensor known, Tensor mask, ISamplingContext context, int jumpLength, int jumpNSample, bool clip)
    {
        var schedule = context.Schedule;
        int[] levels = Levels(schedule.Timesteps, context.Steps);
        var path = Path(levels.Length, jumpLength, jumpNSample);
        int total = path.Count - 1;
        double[] alphaBar = schedule.AlphasCumprod;
        double AlphaBar(int level) => level < 0 ? 1.0 : alphaBar[levels[level]];

        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var keep = mask.to(known.device).expand_as(known) > 0.5;
        var x = context.RandnLike(known);
        for (int k = 1; k < path.Count; k++)
        {
            using var step = NewDisposeScope();
            int from = path[k - 1], to = path[k];
            double abFrom = AlphaBar(from), abTo = AlphaBar(to);
            Tensor next;
            if (to > from)
            {
                // Forward: q(x_to | x_from) = N(√(ᾱ_to/ᾱ_from)·x, (1 − ᾱ_to/ᾱ_from)·I).
                double alpha = abTo / abFrom;
                next = x * Math.Sqrt(alpha) + context.RandnLike(x) * Math.Sqrt(1 - alpha);
            }
            else
            {
                int t = levels[from];
                var tBatch = full([x.shape[0]], (float)t, dtype: ScalarType.Float32, device: x.device);
                var output = context.Predict(schedule.ModelInput(x, tBatch), tBatch).to_type(x.dtype); // a flow model takes its own x_t
                var x0 = schedule.Split(x, tBatch, output).X0;
                if (clip) x0 = x0.clamp(-1, 1);
                Tensor unknown, knownPart;
                if (to < 0)
                {
                    unknown = x0;
                    knownPart = known;
                }
                else
                {
                    // Ancestral step: the posterior q(x_to | x_from, x0) over the skipped span.
                    double alpha = abFrom / abTo, beta = 1 - alpha, denom = Math.Max(1 - abFrom, 1e-20);
                    var mean = x0 * (Math.Sqrt(abTo) * beta / denom) + x * (Math.Sqrt(alpha) * (1 - abTo) / denom);
                    double variance = beta * (1 - abTo) / denom;
                    unknown = mean + context.RandnLike(x) * Math.Sqrt(Math.Max(variance, 0));
                    knownPart = known * Math.Sqrt(abTo) + context.RandnLike(x) * Math.Sqrt(1 - abTo);
                }
                next = where(keep, knownPart.to_type(x.dtype), unknown);
            }
            context.OnStep(k, total);
            var replaced = x;
            x = step.MoveToOuter(next);
            replaced.Dispose(); // only this step's sample lives on, so memory does not grow with the path

        }
        return run.MoveToOuter(x);
    }
}
