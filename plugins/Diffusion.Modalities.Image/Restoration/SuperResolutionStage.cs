using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// SR3-style super-resolution (Saharia et al. 2022) on the first <c>count</c> test images: each is downsampled by
/// <c>scale</c> (area average), upsampled back (<c>upsample</c>), and the model, trained with the same condition
/// concatenated to its input (train stage <c>low_res_scale</c>, denoiser <c>extra_in_channels: C</c>), samples the full
/// image from noise with any sampler. Logs PSNR/SSIM of the result and of the plain upsampling against the ground truth,
/// and the RMS error of each after downsampling again against the low-resolution input (measurement consistency).
/// Writes <c>STAGE.png</c>: rows of ground truth, upsampled input, result.
/// </summary>
[Plugin(PluginKind.Stage, "superres", Options = typeof(SuperResolutionStageOptions),
    Description = "SR3 super-resolution x2/x4 with a low-res-conditioned model and any sampler; logs PSNR/SSIM vs bicubic.")]
public sealed class SuperResolutionStage(SuperResolutionStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = RestorationRun.TrainedModel(context, options.Model);
        if (RestorationRun.Latent(context, options.Data) is not null)
            throw new PluginInputException(
                $"stage '{context.StageName}': superres conditions the denoiser on the upsampled low-resolution image in pixels, but '{options.Data}' is a latent modality, whose model sees only latents: train a pixel model (plugin: image) for superres, or use an sdedit stage on this latent model");
        CheckTrainedCondition(context);
        var sampler = context.Component<ISampler>(options.Sampler);
        using var truth = RestorationRun.GroundTruth(context, options.Data, options.Count, model);
        int count = (int)truth.shape[0];
        if (truth.shape[2] % options.Scale != 0 || truth.shape[3] % options.Scale != 0)
            throw new PluginInputException($"scale {options.Scale} must divide the image size ({truth.shape[2]}x{truth.shape[3]}): change image_size or scale");
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, count, context);

        using var low = Degradations.Downsample(truth, options.Scale);
        using var upsampled = Degradations.Upsample(low, truth.shape[2], truth.shape[3], options.Upsample);
        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        using var progress = context.Progress.Start(context.StageName, (long)batches * options.Steps);
        int batch = 0;
        var restored = RestorationRun.InBatches(count, options.BatchSize, (first, n) =>
        {
            using var generators = context.GeneratorsFor(first, n, "superres");
            var condition = (conditions.Batch(first, n, context.Device) ?? new Conditioning()) with { Concat = upsampled.narrow(0, first, n).to(context.Device) };
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var sampling = new SamplingContext(model, options.Steps, generators)
            {
                Conditioning = condition,
                Guidance = conditions.Guidance,
                Progress = progress,
                ProgressOffset = (long)batch++ * options.Steps,
                Cancellation = context.Cancellation,
            };
            using var noGrad = no_grad();
            return sampler.Sample(noise, sampling).clamp(-1, 1);
        });

        string baseline = OptionNames.EnumValueName(options.Upsample);
        var (psnr, ssim) = RestorationRun.Score(restored, truth);
        var (psnrBase, ssimBase) = RestorationRun.Score(upsampled, truth);
        using var restoredLow = Degradations.Downsample(restored, options.Scale);
        using var upsampledLow = Degradations.Downsample(upsampled, options.Scale);
        RestorationRun.Report(context,
        [
            ("psnr", psnr), ("ssim", ssim),
            ($"psnr_{baseline}", psnrBase), ($"ssim_{baseline}", ssimBase),
            ("low_res_rms_error", RestorationRun.Rms(restoredLow, low)),
            ($"low_res_rms_error_{baseline}", RestorationRun.Rms(upsampledLow, low)),
        ]);
        if (psnr <= psnrBase)
            context.Logger.LogWarning("'{Stage}': the model's PSNR ({Psnr:0.00} dB) does not beat {Baseline} upsampling ({Base:0.00} dB); train longer",
                context.StageName, psnr, baseline, psnrBase);
        RestorationRun.WriteGrid(context, [truth, upsampled, restored]);
        RestorationRun.Publish(context, restored);
    }

    /// <summary>The train stage records the condition it fed the model; sampling with another one would be meaningless.</summary>
    private void CheckTrainedCondition(IRunContext context)
    {
        string wanted = Degradations.Describe(options.Scale, options.Upsample);
        if (context.State.Condition(options.Model) is not { } trained)
            throw new PluginInputException(
                $"model '{options.Model}' was trained without a low-resolution condition: set low_res_scale: {options.Scale} (and low_res_upsample: {OptionNames.EnumValueName(options.Upsample)}) " +
                $"on its train stage, and extra_in_channels to the image's channel count on the denoiser");
        if (trained != wanted)
            throw new PluginInputException(
                $"model '{options.Model}' was trained with the condition '{trained}', but this stage uses '{wanted}': make scale and upsample match the train stage's low_res_scale and low_res_upsample");
    }
}
