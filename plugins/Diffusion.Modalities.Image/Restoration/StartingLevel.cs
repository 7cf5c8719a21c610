using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Where a sampler starts when it continues from a partly noised image (SDEdit, Meng et al. 2022). Every sampler runs over
/// the schedule its context gives and reads its input as the noisy sample at the timestep of its first model evaluation;
/// so giving it the model's schedule cut after timestep t0 makes any sampler run the reverse process from about t0 down,
/// and <see cref="Probe"/> finds the exact timestep it starts at (which spacings such as "leading" put below t0), so the
/// image can be noised to exactly that level.
/// </summary>
internal static class StartingLevel
{
    /// <summary>The model's schedule kept up to timestep <paramref name="last"/> (at least 1): the same ᾱ_t for t ≤ last.</summary>
    public static NoiseSchedule Truncate(NoiseSchedule schedule, int last)
    {
        int keep = Math.Clamp(last, 1, schedule.Timesteps - 1) + 1;
        return NoiseSchedule.FromBetas(schedule.Betas.Take(keep).ToArray(), schedule.Prediction, schedule.Kind);
    }

    /// <summary>
    /// The (possibly fractional) timestep of <paramref name="sampler"/>'s first model evaluation with <paramref name="steps"/>
    /// steps over <paramref name="schedule"/>, found by starting it and stopping it at that first call (no model is run).
    /// </summary>
    public static double Probe(ISampler sampler, NoiseSchedule schedule, int steps, long[] itemShape)
    {
        using var network = new FirstCallNetwork();
        using var generators = new SampleGenerators(0, "probe", 0, 1);
        var probe = new SamplingContext(new TrainedModel(network, schedule, new DataSpec("probe", itemShape)), steps, generators);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        try
        {
            sampler.Sample(zeros([1, .. itemShape]), probe);
        }
        catch (FirstCall call)
        {
            return call.Timestep;
        }
        throw new InvalidOperationException("the sampler returned without evaluating the model");
    }

    /// <summary>
    /// The cut of the schedule and the sampler's first timestep for SDEdit at <paramref name="strength"/>: the schedule is
    /// cut at strength·(T − 1).
    /// </summary>
    public static (NoiseSchedule Schedule, double Start) ForStrength(ISampler sampler, NoiseSchedule schedule, int steps, long[] itemShape, double strength)
    {
        var cut = Truncate(schedule, (int)Math.Round(strength * (schedule.Timesteps - 1)));
        return (cut, Probe(sampler, cut, steps, itemShape));
    }

    /// <summary>
    /// The shortest cut of the schedule whose sampler starts at a noise level of at least <paramref name="sigma"/> (in σ space,
    /// x = x_0 + σ·ε), so that an image with Gaussian noise of that std needs only noise added, never removed, to match the
    /// starting level. When even the whole schedule starts below <paramref name="sigma"/>, the whole schedule.
    /// </summary>
    public static (NoiseSchedule Schedule, double Start) ForNoise(ISampler sampler, NoiseSchedule schedule, int steps, long[] itemShape, double sigma)
    {
        int last = Math.Max(1, (int)Math.Ceiling(schedule.TimestepAt(sigma)));
        while (true)
        {
            var cut = Truncate(schedule, last);
            double start = Probe(sampler, cut, steps, itemShape);
            if (schedule.SigmaAt(start) >= sigma * (1 - 1e-9) || last >= schedule.Timesteps - 1) return (cut, start);
            last++;
        }
    }

    /// <summary>
    /// The sampler's input at timestep <paramref name="start"/> (variance-preserving x_t) for <paramref name="image"/>, which
    /// already carries Gaussian noise of std <paramref name="sigmaPresent"/> (σ space): √ᾱ·image plus the fresh noise
    /// <paramref name="noise"/> that brings the total noise variance to 1 − ᾱ (none when the image is already noisier).
    /// </summary>
    public static Tensor Noised(NoiseSchedule schedule, double start, Tensor image, Tensor noise, double sigmaPresent)
    {
        double sigma = schedule.SigmaAt(start);
        double alphaBar = 1 / (1 + sigma * sigma);
        double extra = Math.Max(0, 1 - alphaBar - alphaBar * sigmaPresent * sigmaPresent);
        return image * Math.Sqrt(alphaBar) + noise * Math.Sqrt(extra);
    }

    private sealed class FirstCall(double timestep) : Exception("first model call")
    {
        public double Timestep { get; } = timestep;
    }

    /// <summary>Stands in for the model while probing: its first call stops the sampler with the timestep it was given.</summary>
    private sealed class FirstCallNetwork() : DenoiserModule("probe")
    {
        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning) =>
            throw new FirstCall(t.reshape(-1)[0].to_type(ScalarType.Float64).item<double>());
    }
}
