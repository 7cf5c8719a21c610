using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>How an <c>sdedit</c> stage picks the noise level it starts from.</summary>
public enum SdeditMode
{
    /// <summary>From <c>strength</c>: the schedule is cut at strength·(T − 1) and the image noised to where the sampler starts.</summary>
    Sdedit,
    /// <summary>From <c>noise_std</c>: the lowest level at least as noisy as the corrupted input, whose noise then counts as part of it.</summary>
    Denoise,
}

/// <summary>Options of the <c>sdedit</c> stage (and of <c>denoise</c>, which only changes the defaults).</summary>
public class SdeditStageOptions : RestorationStageOptions
{
    /// <summary>The sampler to run the reverse process with; any sampler works.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Sampler component that runs the reverse process (any sampler).")]
    public string Sampler { get; set; } = "";

    /// <summary>sdedit (start level from strength) or denoise (from noise_std). Default sdedit.</summary>
    [Description("sdedit: start from strength; denoise: start from the level of the input's noise (noise_std).")]
    public SdeditMode Mode { get; set; } = SdeditMode.Sdedit;

    /// <summary>Mode sdedit: how far into the forward process the input is pushed, in (0, 1]; 1 starts from pure noise. Default 0.5.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true), Description("sdedit: fraction of the forward process the input is noised to, in (0, 1]; 1 = from pure noise.")]
    public double Strength { get; set; } = 0.5;

    /// <summary>Std of the Gaussian noise that corrupts the input, in [0, 1] pixel units (0.1 = 10% of the range). Default 0.</summary>
    [Range(0.0, 10.0), Description("Std of Gaussian noise added to the input, in [0, 1] pixel units (0 = clean input).")]
    public double NoiseStd { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        if (Mode == SdeditMode.Denoise && !(NoiseStd > 0))
            yield return new ValidationResult("mode: denoise needs noise_std > 0: the std of the input's noise picks the starting level", [nameof(NoiseStd)]);
    }
}

/// <summary>Options of the <c>denoise</c> stage: <c>sdedit</c>'s, with mode denoise and noise_std 0.1 by default.</summary>
public sealed class DenoiseStageOptions : SdeditStageOptions
{
    /// <summary>Creates the options with the denoising defaults.</summary>
    public DenoiseStageOptions()
    {
        Mode = SdeditMode.Denoise;
        NoiseStd = 0.1;
    }
}

/// <summary>
/// SDEdit (Meng et al. 2022) on the first <c>count</c> test images: corrupt each image with Gaussian noise of
/// <c>noise_std</c>, noise it to a level t0, and run any sampler's reverse process from there (<see cref="StartingLevel"/>).
/// In denoise mode t0 is the level whose noise matches the corruption, so the corruption is the first part of the noise.
/// Logs PSNR/SSIM of the result and of the corrupted input against the ground truth, and the RMS difference between
/// result and input (measurement consistency: close to noise_std when only the noise was removed). Writes
/// <c>STAGE.png</c>: rows of ground truth, corrupted input, result.
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
        using var truth = RestorationRun.GroundTruth(context, options.Data, options.Count, model);
        int count = (int)truth.shape[0];
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, count, context);
        double sigmaNoise = 2 * options.NoiseStd; // [0, 1] pixel units to model space, where the range is 2
        var (schedule, start) = options.Mode == SdeditMode.Denoise
            ? StartingLevel.ForNoise(sampler, model.Schedule, options.Steps, model.Data.ItemShape, sigmaNoise)
            : StartingLevel.ForStrength(sampler, model.Schedule, options.Steps, model.Data.ItemShape, options.Strength);
        if (options.Mode == SdeditMode.Denoise && model.Schedule.SigmaAt(start) < sigmaNoise)
            context.Logger.LogWarning("noise_std {Std} is beyond the schedule's largest noise level; starting from the noisiest timestep", options.NoiseStd);
        context.Logger.LogInformation("{Mode} from timestep {Start:0.##} of {T} (noise level sigma {Sigma:0.###}) with {Steps} steps",
            OptionNames.EnumValueName(options.Mode), start, model.Schedule.Timesteps, model.Schedule.SigmaAt(start), options.Steps);

        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        using var progress = context.Progress.Start(context.StageName, (long)batches * options.Steps);
        var corrupted = RestorationRun.InBatches(count, options.BatchSize, (first, n) =>
        {
            var clean = truth.narrow(0, first, n);
            if (sigmaNoise == 0) return clean.clone();
            using var generators = context.GeneratorsFor(first, n, "corruption");
            return clean + generators.Randn(model.Data.ItemShape, CPU) * sigmaNoise;
        });
        int batch = 0;
        var restored = RestorationRun.InBatches(count, options.BatchSize, (first, n) =>
        {
            using var generators = context.GeneratorsFor(first, n, "sdedit");
            var input = corrupted.narrow(0, first, n).to(context.Device);
            var noise = generators.Randn(model.Data.ItemShape, context.Device);
            var x = StartingLevel.Noised(schedule, start, input, noise, options.Mode == SdeditMode.Denoise ? sigmaNoise : 0);
            var sampling = new SamplingContext(model with { Schedule = schedule }, options.Steps, generators)
            {
                Conditioning = conditions.Batch(first, n, context.Device),
                Guidance = conditions.Guidance,
                Progress = progress,
                ProgressOffset = (long)batch++ * options.Steps,
                Cancellation = context.Cancellation,
            };
            using var noGrad = no_grad();
            return sampler.Sample(x, sampling);
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
        ]);
        RestorationRun.WriteGrid(context, [truth, shownInput, restored]);
        corrupted.Dispose();
        RestorationRun.Publish(context, restored);
    }
}

/// <summary>
/// Denoising: <see cref="SdeditStage"/> in denoise mode. The input carries Gaussian noise of <c>noise_std</c>; the reverse
/// process starts at the matching noise level, so the input's own noise is removed rather than more being added.
/// </summary>
[Plugin(PluginKind.Stage, "denoise", Options = typeof(DenoiseStageOptions),
    Description = "Removes Gaussian noise of a known std with any sampler (sdedit started at the matching level); logs PSNR/SSIM.")]
public sealed class DenoiseStage(DenoiseStageOptions options) : SdeditStage(options);
