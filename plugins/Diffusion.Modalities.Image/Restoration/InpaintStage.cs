using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Inpainting with an unconditional model by RePaint (<see cref="RePaint"/>), on the first <c>count</c> test images. Also
/// runs the two baselines on the same images: the masked-mean fill (every missing pixel set to the mean of the known
/// pixels of its image) and the plain replacement method (RePaint without resampling, jump_n_sample 1, same noise
/// seeds), and logs PSNR/SSIM of all three, plus the largest error on the known pixels (0: they are kept exactly) and the
/// missing fraction. A rectified-flow model inpaints by its ODE (<see cref="FlowInpaint"/>) unless <c>method: ancestral</c>.
/// On a latent modality the known region is encoded and blended in latent space (<see cref="LatentMask"/>), the result
/// decoded, and the known pixels put back. Writes <c>STAGE.png</c>: rows of ground truth, masked input, mean fill, replacement, RePaint.
/// </summary>
[Plugin(PluginKind.Stage, "inpaint", Options = typeof(InpaintStageOptions),
    Description = "RePaint inpainting (box/half/strokes/file masks) with mean-fill and no-resampling baselines; logs PSNR/SSIM.")]
public sealed class InpaintStage(InpaintStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = RestorationRun.TrainedModel(context, options.Model);
        var latent = RestorationRun.Latent(context, options.Data);
        var method = options.Method == InpaintMethod.Auto ? (model.Schedule.IsFlow ? InpaintMethod.Ode : InpaintMethod.Ancestral) : options.Method;
        if (method == InpaintMethod.Ode && !model.Schedule.IsFlow)
            throw new PluginInputException(
                $"stage '{context.StageName}': method: ode integrates a rectified-flow model's ODE, but '{options.Model}' was trained with prediction_type {OptionNames.EnumValueName(model.Schedule.Prediction)}: use method: ancestral (or auto)");
        using var truth = RestorationRun.GroundTruth(context, options.Data, options.Count, model);
        int count = (int)truth.shape[0], height = (int)truth.shape[2], width = (int)truth.shape[3];
        using var mask = MakeMask(context, count, height, width);
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, count, context);
        using var latentMask = latent is null ? null : LatentMask(mask, latent.Options.Downsample);

        int levels = RePaint.Levels(model.Schedule.Timesteps, options.Steps).Length;
        int repaintSteps = RePaint.Path(levels, options.JumpLength, options.JumpNSample).Count - 1;
        int replaceSteps = options.Baselines ? RePaint.Path(levels, options.JumpLength, 1).Count - 1 : 0;
        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        context.Logger.LogInformation("inpainting {Count} images ({Missing:P0} missing{Latent}) with {Method}: {Levels} levels, {Evaluations} model evaluations per batch",
            count, 1 - mask.mean().item<float>(), latent is null ? "" : $"; in latent space, {1 - latentMask!.mean().item<float>():P0} of the latent regenerated",
            method == InpaintMethod.Ode ? "the flow ODE" : "RePaint", levels, RePaint.Evaluations(RePaint.Path(levels, options.JumpLength, options.JumpNSample)));

        using var progress = context.Progress.Start(context.StageName, (long)batches * (repaintSteps + replaceSteps));
        long done = 0;
        double seamSquares = 0, seamPixels = 0;
        Tensor Restore(int jumpNSample, int first, int n)
        {
            using var generators = context.GeneratorsFor(first, n, "inpaint");
            var sampling = new SamplingContext(model, options.Steps, generators)
            {
                Conditioning = conditions.Batch(first, n, context.Device),
                Guidance = conditions.Guidance,
                Progress = progress,
                ProgressOffset = done,
                Cancellation = context.Cancellation,
            };
            var known = truth.narrow(0, first, n);
            var keep = mask.narrow(0, first, n);
            // Latent diffusion: the known region is encoded and blended in latent space under the mask shrunk to latent
            // positions whose whole pixel block is known; the result is decoded and the known pixels put back exactly.
            var modelKnown = latent is null ? known.to(context.Device) : latent.Autoencoder.Encode(known).to(context.Device);
            var modelKeep = (latent is null ? keep : latentMask!.narrow(0, first, n)).to(context.Device);
            var result = method == InpaintMethod.Ode
                ? FlowInpaint.Run(modelKnown, modelKeep, sampling, options.JumpLength, jumpNSample, options.ClipDenoised)
                : RePaint.Run(modelKnown, modelKeep, sampling, options.JumpLength, jumpNSample, options.ClipDenoised);
            done += RePaint.Path(levels, options.JumpLength, jumpNSample).Count - 1;
            if (latent is null) return result;
            var decoded = latent.Autoencoder.Decode(result);
            var keepImage = keep.expand_as(known);
            if (jumpNSample == options.JumpNSample)
            {
                seamSquares += ((decoded - known) / 2).square().mul(keepImage).sum().item<float>();
                seamPixels += keepImage.sum().item<float>();
            }
            return where(keepImage > 0.5, known, decoded);
        }

        var repainted = RestorationRun.InBatches(count, options.BatchSize, (first, n) => Restore(options.JumpNSample, first, n));
        using var masked = truth * mask; // missing pixels shown as mid-grey (0 in model space)
        var metrics = new List<(string, double)>();
        var (psnr, ssim) = RestorationRun.Score(repainted, truth);
        metrics.Add(("psnr", psnr));
        metrics.Add(("ssim", ssim));
        metrics.Add(("known_max_error", KnownMaxError(repainted, truth, mask)));
        metrics.Add(("missing_fraction", 1 - mask.mean().item<float>()));
        if (latent is not null)
        {
            // How well the decoded result agrees with the known pixels before they are put back (RMS, [0, 1] units): the
            // autoencoder's reconstruction error there plus any disagreement the latent blend leaves at the seam.
            metrics.Add(("latent_known_rms", Math.Sqrt(seamSquares / Math.Max(seamPixels, 1))));
            metrics.Add(("latent_missing_fraction", 1 - latentMask!.mean().item<float>()));
        }
        var columns = new List<Tensor> { truth, masked };
        if (options.Baselines)
        {
            var meanFill = MeanFill(truth, mask);
            var replaced = RestorationRun.InBatches(count, options.BatchSize, (first, n) => Restore(1, first, n));
            var (psnrMean, ssimMean) = RestorationRun.Score(meanFill, truth);
            var (psnrReplace, ssimReplace) = RestorationRun.Score(replaced, truth);
            metrics.Add(("psnr_mean_fill", psnrMean));
            metrics.Add(("ssim_mean_fill", ssimMean));
            metrics.Add(("psnr_replace", psnrReplace));
            metrics.Add(("ssim_replace", ssimReplace));
            columns.Add(meanFill);
            columns.Add(replaced);
            RestorationRun.Report(context, metrics);
            if (psnr <= psnrMean || psnr <= psnrReplace)
                context.Logger.LogWarning("'{Stage}': RePaint's PSNR ({Psnr:0.00} dB) does not beat both baselines (mean fill {Mean:0.00} dB, replacement {Replace:0.00} dB); train longer or raise jump_n_sample",
                    context.StageName, psnr, psnrMean, psnrReplace);
        }
        else
        {
            RestorationRun.Report(context, metrics);
        }
        columns.Add(repainted);
        RestorationRun.WriteGrid(context, columns);
        foreach (var column in columns.Skip(2).Where(c => !ReferenceEquals(c, repainted))) column.Dispose();
        RestorationRun.Publish(context, repainted);
    }

    private Tensor MakeMask(IRunContext context, int count, int height, int width)
    {
        switch (options.Mask)
        {
            case MaskKind.Box:
                var (top, left, h, w) = options.Box.Length == 4
                    ? (options.Box[0], options.Box[1], options.Box[2], options.Box[3])
                    : InpaintMasks.CentredBox(height, width);
                return InpaintMasks.Box(count, height, width, top, left, h, w);
            case MaskKind.Half:
                return InpaintMasks.Half(count, height, width);
            case MaskKind.Strokes:
                using (var generators = context.GeneratorsFor(0, count, "inpaint-mask"))
                    return InpaintMasks.Strokes(generators, height, width, options.Strokes);
            case MaskKind.File:
                return InpaintMasks.FromFile(options.MaskFile!, count, height, width);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mask, "unknown mask kind");
        }
    }

    /// <summary>
    /// The mask [N, 1, H/f, W/f] of latent positions to keep: those whose whole f×f pixel block is known (a min-pool), so
    /// every latent position that touches the missing region is generated.
    /// </summary>
    internal static Tensor LatentMask(Tensor mask, int downsample)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(1 - nn.functional.max_pool2d(1 - mask.to_type(ScalarType.Float32), downsample, downsample));
    }

    /// <summary>Every missing pixel set to the mean of its image's known pixels (per channel).</summary>
    internal static Tensor MeanFill(Tensor truth, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var keep = mask.expand_as(truth);
        var mean = (truth * keep).sum([2, 3], keepdim: true) / keep.sum([2, 3], keepdim: true).clamp_min(1);
        return scope.MoveToOuter(where(keep > 0.5, truth, mean.expand_as(truth)));
    }

    /// <summary>The largest absolute difference on the known pixels, in [0, 1] pixel units.</summary>
    internal static double KnownMaxError(Tensor restored, Tensor truth, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var difference = ((restored.cpu() - truth.cpu()).abs() / 2) * mask.expand_as(truth);
        return difference.max().item<float>();
    }
}
