using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Stages;
using Diffusion.Modalities.Image.Latent;
using Diffusion.Modalities.Image.Png;
using Microsoft.Extensions.Logging;

namespace Diffusion.Modalities.Image.Restoration;

/// <summary>What the restoration stages share: the model and images they start from, and how they report.</summary>
internal static class RestorationRun
{
    /// <summary>The model an earlier train stage left for component <paramref name="name"/>.</summary>
    public static TrainedModel TrainedModel(IRunContext context, string name) =>
        context.State.TryGetModel(name, out var model)
            ? model
            : throw new PluginInputException(
                $"stage '{context.StageName}' needs a trained model for component '{name}', but no earlier stage trained it: add a train stage with model: {name} before this stage");

    /// <summary>
    /// The latent modality when component <paramref name="dataName"/> is one (latent diffusion: the model works on its
    /// autoencoder's latents, the stage on its images), otherwise null.
    /// </summary>
    public static LatentModality? Latent(IRunContext context, string dataName) => context.Component<IModality>(dataName) as LatentModality;

    /// <summary>
    /// The first <paramref name="count"/> images of the modality's test split [N, C, H, W] (model space, CPU), checked
    /// to be images the quality measures can score (SSIM needs at least 11×11 pixels). For a latent modality these are its
    /// images (not their latents), and the model must have been trained on its latents.
    /// </summary>
    public static Tensor GroundTruth(IRunContext context, string dataName, int count, TrainedModel model)
    {
        var modality = context.Component<IModality>(dataName);
        var latent = modality as LatentModality;
        using var data = (latent?.Images ?? modality).Load(DataSplit.Test);
        if (data.Items.dim() != 4 || modality.Spec.Kind != "image")
            throw new PluginInputException($"stage '{context.StageName}' restores images, but component '{dataName}' provides {modality.Spec.Kind} data: name an image modality");
        long[] shape = latent?.Spec.ItemShape ?? data.Items.shape[1..];
        if (!shape.SequenceEqual(model.Data.ItemShape))
            throw new PluginInputException(latent is null
                ? $"component '{dataName}' gives images [{string.Join(", ", shape)}], but the model was trained on [{string.Join(", ", model.Data.ItemShape)}]: use the data the model was trained on"
                : $"component '{dataName}' gives latents [{string.Join(", ", shape)}], but the model was trained on [{string.Join(", ", model.Data.ItemShape)}]: use the data the model was trained on");
        if (data.Items.shape[2] < ImageQuality.SsimWindow || data.Items.shape[3] < ImageQuality.SsimWindow)
            throw new PluginInputException(
                $"stage '{context.StageName}' scores SSIM with an {ImageQuality.SsimWindow}x{ImageQuality.SsimWindow} window, but the images are {data.Items.shape[2]}x{data.Items.shape[3]}: set image_size to at least {ImageQuality.SsimWindow}");
        if (data.Count < count)
            context.Logger.LogWarning("'{Stage}' asked for {Count} images, but the test split has {Available}; restoring those", context.StageName, count, data.Count);
        return data.Items.narrow(0, 0, Math.Min(count, data.Count)).to_type(ScalarType.Float32).clone();
    }

    /// <summary>PSNR (dB) and SSIM of <paramref name="restored"/> against <paramref name="truth"/> (both model space), averaged over images.</summary>
    public static (double Psnr, double Ssim) Score(Tensor restored, Tensor truth)
    {
        using var scope = NewDisposeScope();
        var a = ImageQuality.ToUnit(restored);
        var b = ImageQuality.ToUnit(truth);
        return (ImageQuality.Mean(ImageQuality.Psnr(a, b)), ImageQuality.Mean(ImageQuality.Ssim(a, b)));
    }

    /// <summary>Root-mean-square difference in [0, 1] pixel units.</summary>
    public static double Rms(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return ((a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)) / 2).square().mean().sqrt().item<double>();
    }

    /// <summary>Logs <c>STAGE/KEY</c> metrics (step 0) and one line per metric; non-finite values are only printed.</summary>
    public static void Report(IRunContext context, IEnumerable<(string Key, double Value)> metrics)
    {
        foreach (var (key, value) in metrics)
        {
            string name = $"{context.StageName}/{key}";
            if (double.IsFinite(value)) context.Tracker.LogMetric(name, value, 0);
            context.Logger.LogInformation("{Name} = {Value:0.#####}", name, value);
        }
    }

    /// <summary>
    /// Writes <c>STAGE.png</c>: one row per image, one column per entry of <paramref name="columns"/> (each [N, C, H, W], model space).
    /// </summary>
    public static void WriteGrid(IRunContext context, IReadOnlyList<Tensor> columns)
    {
        using var scope = NewDisposeScope();
        var rows = stack(columns.Select(c => c.detach().cpu().to_type(ScalarType.Float32)).ToArray(), 1);
        var flat = rows.reshape([-1, .. rows.shape[2..]]);
        var (pixels, width, height, channels) = ImageGrid.Render(flat, columns.Count);
        context.Artifacts.Write($"{context.StageName}.png", "image-grid", stream => ImageCodec.WritePng(stream, width, height, channels, pixels));
    }

    /// <summary>
    /// Makes <paramref name="restored"/> the run's current samples (so an evaluate stage can score them), disposing the
    /// previous ones; they carry no class labels or condition items of earlier samples.
    /// </summary>
    public static void Publish(IRunContext context, Tensor restored) => context.State.Samples = new GeneratedSamples(restored);

    /// <summary>Runs <paramref name="restore"/> over batches of <paramref name="total"/> images and concatenates the (CPU) results.</summary>
    public static Tensor InBatches(int total, int batchSize, Func<int, int, Tensor> restore)
    {
        var parts = new List<Tensor>();
        for (int first = 0; first < total; first += batchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batchSize, total - first);
            parts.Add(scope.MoveToOuter(restore(first, n).cpu()));
        }
        var all = cat(parts.ToArray());
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
