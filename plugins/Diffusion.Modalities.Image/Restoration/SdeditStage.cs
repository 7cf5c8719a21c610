using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// SDEdit (Meng et al. 2022) on the first <c>count</c> test images: corrupt each image with Gaussian noise of
/// <c>noise_std</c>, noise it to a level t0, and run any sampler's reverse process from there (<see cref="StartingLevel"/>).
/// In denoise mode t0 is the level whose noise matches the corruption, so the corruption is the first part of the noise.
/// Logs PSNR/SSIM of the result and of the corrupted input against the ground truth, and the RMS difference between
/// result and input (measurement consistency: close to noise_std when only the noise was removed). Writes
/// <c>STAGE.png</c>: rows of ground truth, corrupted input, result. On a latent modality the corrupted image is encoded,
/// edited in latent space and decoded; in denoise mode the latent noise level is measured (<see cref="LatentNoise"/>).
/// </summary>
[Plugin(PluginKind.Stage, "sdedit", Options = typeof(SdeditStageOptions),
    Description = "SDEdit: noise the (optionally noise-corrupted) input to t0 and denoise with any sampler; logs PSNR/SSIM.")]
public class SdeditStage(SdeditStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = RestorationRun.TrainedModel(context, options.Model);
        var sampler = context.Component<ISampler>(options.Sampler);
        var latent = RestorationRun.Latent(context, options.Data);
        using var truth = RestorationRun.GroundTruth(context, options.Data, options.Count, model);
        int count = (int)truth.shape[0];
        long[] imageShape = truth.shape[1..];
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, count, context);
        double sigmaNoise = 2 * options.NoiseStd; // [0, 1] pixel units to model space, where the range is 2
        var corrupted = RestorationRun.InBatches(count, options.BatchSize, (first, n) =>
        {
            var clean = truth.narrow(0, first, n);
            if (sigmaNoise == 0) return clean.clone();
            using var generators = context.GeneratorsFor(first, n, "corruption");
            return clean + generators.Randn(imageShape, CPU) * sigmaNoise;
        });
        // Latent diffusion: the corrupted images are encoded, and the noise they carry is measured in latent space.
        using var inputs = latent is null ? corrupted.alias() : latent.Autoencoder.Encode(corrupted);
        double sigmaPresent = sigmaNoise;
        if (latent is not null && sigmaNoise > 0)
        {
            sigmaPresent = LatentNoise(context, latent, corrupted, inputs, sigmaNoise, options.BatchSize);
            context.Logger.LogInformation("noise of std {Std} in the images is noise of std {Sigma:0.###} in the latents (measured)", sigmaNoise, sigmaPresent);
        }
        var (schedule, start) = options.Mode == SdeditMode.Denoise
            ? StartingLevel.ForNoise(sampler, model.Schedule, options.Steps, model.Data.ItemShape, sigmaPresent)
            : StartingLevel.ForStrength(sampler, model.Schedule, options.Steps, model.Data.ItemShape, options.Strength);
        if (options.Mode == SdeditMode.Denoise && model.Schedule.SigmaAt(start) < sigmaPresent)
            context.Logger.LogWarning("noise_std {Std} is beyond the schedule's largest noise level; starting from the noisiest timestep", options.NoiseStd);
        context.Logger.LogInformation("{Mode} from timestep {Start:0.##} of {T} (noise level sigma {Sigma:0.###}) with {Steps} steps",
            OptionNames.EnumValueName(options.Mode), start, model.Schedule.Timesteps, model.Schedule.SigmaAt(start), options.Steps);

        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        using var progress = context.Progress.Start(context.StageName, (long)batches * options.Steps);
        int batch = 0;
        var restored = RestorationRun.InBatches(count, options.BatchSize, (first, n) =>
        {
            using var generators = context.GeneratorsFor(first, n, "sdedit");
            var input = inputs.narrow(0, first, n).to(context.Device);
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var x = StartingLevel.Noised(schedule, start, input, noise, options.Mode == SdeditMode.Denoise ? sigmaPresent : 0);
            var sampling = new SamplingContext(model with { Schedule = schedule }, options.Steps, generators)
            {
                Conditioning = conditions.Batch(first, n, context.Device),
                Guidance = conditions.Guidance,
                Progress = progress,
                ProgressOffset = (long)batch++ * options.Steps,
                Cancellation = context.Cancellation,
            };
            using var noGrad = no_grad();
            var result = sampler.Sample(x, sampling);
            return latent is null ? result : latent.Autoencoder.Decode(result);
        });

        var (psnr, ssim) = RestorationRun.Score(restored, truth);
        using var shownInput = corrupted.clamp(-1, 1);
        var (psnrInput, ssimInput) = RestorationRun.Score(shownInput, truth);
        RestorationRun.Report(context,
        [
            ("psnr", psnr), ("ssim", ssim),
            ("psnr_input", psnrInput), ("ssim_input", ssimInput),
            ("input_rms_difference", RestorationRun.Rms(restored, corrupted)),
            ("start_timestep", start),
            .. latent is not null && sigmaNoise > 0 ? [("latent_noise_sigma", sigmaPresent)] : Array.Empty<(string, double)>(),
        ]);
        RestorationRun.WriteGrid(context, [truth, shownInput, restored]);
        corrupted.Dispose();
        RestorationRun.Publish(context, restored);
    }

    /// <summary>
    /// The std of the noise the corrupted images carry, seen in latent space: each image gets a second, independent noise
    /// of the same std, and the RMS change of its latent is measured (the encoder is close to linear at the scale of the
    /// noise, so this is the std of the corruption's own image in latent space; no clean image is needed).
    /// </summary>
    private static double LatentNoise(IRunContext context, Latent.LatentModality latent, Tensor corrupted, Tensor encoded, double sigma, int batchSize)
    {
        using var scope = NewDisposeScope();
        var again = RestorationRun.InBatches((int)corrupted.shape[0], batchSize, (first, n) =>
        {
            using var generators = context.GeneratorsFor(first, n, "latent-noise-probe");
            return corrupted.narrow(0, first, n) + generators.Randn(corrupted.shape[1..], CPU) * sigma;
        });
        var moved = latent.Autoencoder.Encode(again) - encoded;
        return moved.to_type(ScalarType.Float64).square().mean().sqrt().item<double>();
    }
}
