using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Inpainting with an unconditional model by RePaint (<see cref="RePaint"/>), on the first <c>count</c> test images. Also
/// runs the two baselines on the same images: the masked-mean fill (every missing pixel set to the mean of the known
/// pixels of its image) and the plain replacement method (RePaint without resampling, jump_n_sample 1, same noise
/// seeds), and logs PSNR/SSIM of all three, plus the largest error on the known pixels (0: they are kept exactly) and the
/// missing fraction. Writes <c>STAGE.png</c>: rows of ground truth, masked input, mean fill, replacement, RePaint.
/// </summary>
[Plugin(PluginKind.Stage, "inpaint", Options = typeof(InpaintStageOptions),
    Description = "RePaint inpainting (box/half/strokes/file masks) with mean-fill and no-resampling baselines; logs PSNR/SSIM.")]
public sealed class InpaintStage(InpaintStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = RestorationRun.TrainedModel(context, options.Model);
        using var truth = RestorationRun.GroundTruth(context, options.Data, options.Count, model);
        int count = (int)truth.shape[0], height = (int)truth.shape[2], width = (int)truth.shape[3];
        using var mask = MakeMask(context, count, height, width);
        using var conditions = SampleConditioning.Create(options, model, options.Model, options.Data, count, context);

        int levels = RePaint.Levels(model.Schedule.Timesteps, options.Steps).Length;
        int repaintSteps = RePaint.Path(levels, options.JumpLength, options.JumpNSample).Count - 1;
        int replaceSteps = options.Baselines ? RePaint.Path(levels, options.JumpLength, 1).Count - 1 : 0;
        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        context.Logger.LogInformation("inpainting {Count} images ({Missing:P0} missing) with RePaint: {Levels} levels, {Evaluations} model evaluations per batch",
            count, 1 - mask.mean().item<float>(), levels, RePaint.Evaluations(RePaint.Path(levels, options.JumpLength, options.JumpNSample)));

        using var progress = context.Progress.Start(context.StageName, (long)batches * (repaintSteps + replaceSteps));
        long done = 0;
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
            var known = truth.narrow(0, first, n).to(context.Device);
            var result = RePaint.Run(known, mask.narrow(0, first, n).to(context.Device), sampling, options.JumpLength, jumpNSample, options.ClipDenoised);
            done += RePaint.Path(levels, options.JumpLength, jumpNSample).Count - 1;
            return result;
        }

        var repainted = RestorationRun.InBatches(count, options.BatchSize, (first, n) => Restore(options.JumpNSample, first, n));
        using var masked = truth * mask; // missing pixels shown as mid-grey (0 in model space)
        var metrics = new List<(string, double)>();
        var (psnr, ssim) = RestorationRun.Score(repainted, truth);
        metrics.Add(("psnr", psnr));
        metrics.Add(("ssim", ssim));
        metrics.Add(("known_max_error", KnownMaxError(repainted, truth, mask)));
        metrics.Add(("missing_fraction", 1 - mask.mean().item<float>()));
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
