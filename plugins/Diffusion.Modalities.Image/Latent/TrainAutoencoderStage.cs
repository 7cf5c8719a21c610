using System.Diagnostics;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Stages;
using Diffusion.Modalities.Image.Restoration;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// Trains the KL autoencoder of a <c>latent</c> modality on its images (loss: mean L1 reconstruction + kl_weight·KL, the
/// latent drawn from the posterior), computes the scaling factor 1/std of the encoded training latents, saves
/// <c>checkpoints/STAGE/step-N/autoencoder.safetensors</c> (with the optimizer state, so <c>run --resume</c> continues
/// from the last one), scores held-out reconstructions (metrics <c>STAGE/psnr</c>,
/// <c>STAGE/ssim</c>, <c>STAGE/recon-KEY</c> for each of the data's metrics, such as fd) and writes a grid of originals
/// (top rows) above their reconstructions, then hands the trained autoencoder to the modality for the stages after it.
/// </summary>
[Plugin(PluginKind.Stage, "train-autoencoder", Options = typeof(TrainAutoencoderStageOptions),
    Description = "Trains the KL autoencoder of a latent modality (L1 + KL); scaling factor, PSNR/SSIM/fd of reconstructions, grid.")]
public sealed class TrainAutoencoderStage(TrainAutoencoderStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var latent = context.Component<IModality>(options.Data) as LatentModality
            ?? throw new PluginInputException($"train-autoencoder trains the autoencoder of a latent modality, but component '{options.Data}' is not one: give it plugin: latent");
        using var images = latent.Images.Load(DataSplit.Train);
        if (images.Count == 0) throw new PluginInputException($"component '{options.Data}' loaded no training images");

        manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0xae));
        var network = latent.CreateNetwork();
        network.to(context.Device);
        long parameters = network.parameters().Sum(p => p.numel());
        context.Tracker.LogParam($"{context.StageName}.parameters", parameters);
        context.Tracker.LogParam($"{context.StageName}.compression_factor", latent.CompressionFactor);
        context.Logger.LogInformation("training the autoencoder of '{Data}' ({Parameters:N0} parameters; [{Image}] -> [{Latent}], {Factor}x fewer values) for {Steps} steps",
            options.Data, parameters, string.Join(", ", latent.Images.Spec.ItemShape), string.Join(", ", latent.Spec.ItemShape), latent.CompressionFactor, options.Steps);

        using var optimizer = optim.AdamW(network.parameters(), options.Lr);
        int start = 0;
        if (context.ResumeCheckpoint is { } folder)
        {
            // run --resume: the weights, the optimizer's moments and the step of the last checkpoint; every step draws from
            // a generator seeded by (run seed, step), so the continuation repeats an uninterrupted run on the same CPU.
            var checkpoint = new Checkpoint(folder, 0);
            AutoencoderCheckpoint.LoadWeights(Path.Combine(folder, AutoencoderCheckpoint.FileName), network, latent);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(checkpoint.OptimizerPath);
            var (step, seed) = AutoencoderCheckpoint.ReadTrainerState(checkpoint.TrainerPath);
            start = (int)Math.Min(step, options.Steps);
            if (seed != context.Seed)
                context.Logger.LogWarning("{Folder} was trained with seed {Old}, this run has seed {New}: the continuation will not match an uninterrupted run", folder, seed, context.Seed);
            context.Logger.LogInformation("resuming '{Stage}' from step {Step} ({Folder})", context.StageName, start, folder);
        }
        using var generator = new Generator(0, CPU);
        var clock = Stopwatch.StartNew();
        network.train();
        using (var progress = context.Progress.Start(context.StageName, options.Steps, start))
        {
            for (int step = start; step < options.Steps; step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed ^ 0xae, (ulong)step));
                var index = randint(0, images.Count, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
                var x = images.Items.index_select(0, index).to(context.Device);
                var (mean, logVar) = network.Encode(x);
                var z = mean + (0.5 * logVar).exp() * randn(mean.shape, generator: generator).to(context.Device);
                var l1 = (network.Decode(z) - x).abs().mean();
                var kl = (0.5 * (mean.square() + logVar.exp() - 1 - logVar)).flatten(1).sum(1).mean();
                var loss = l1 + options.KlWeight * kl;
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(network.parameters(), 1.0);
                optimizer.step();
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue)) throw new PluginInputException($"the autoencoder's loss became {lossValue} at step {step + 1}: lower lr");
                context.Tracker.LogMetric($"{context.StageName}/loss", lossValue, step + 1);
                context.Tracker.LogMetric($"{context.StageName}/l1", l1.item<float>(), step + 1);
                context.Tracker.LogMetric($"{context.StageName}/kl", kl.item<float>(), step + 1);
                progress.Report(step + 1, $"l1 {l1.item<float>():0.0000}");
                bool last = step + 1 == options.Steps;
                if (!last && options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0)
                {
                    Save(context, latent, new TrainedAutoencoder(network, ScalingFactor(network, images)), optimizer, step + 1);
                    network.train();
                }
            }
        }
        if (start < options.Steps)
            context.Tracker.LogMetric($"{context.StageName}/steps_per_second", (options.Steps - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), options.Steps);

        network.eval();
        var trained = new TrainedAutoencoder(network, ScalingFactor(network, images));
        context.Tracker.LogMetric($"{context.StageName}/scaling_factor", trained.ScalingFactor, options.Steps);
        Save(context, latent, trained, optimizer, options.Steps);
        Score(context, latent, trained);
        latent.Use(trained);
    }

    /// <summary>1/std of the posterior means of the first <c>scale_items</c> training images (diffusers' scaling_factor).</summary>
    private double ScalingFactor(KlAutoencoder network, ModalityData images)
    {
        using var scope = NewDisposeScope();
        var probe = new TrainedAutoencoder(network, 1.0);
        var latents = probe.Encode(images.Items.narrow(0, 0, Math.Min(options.ScaleItems, images.Count)));
        return 1.0 / latents.to_type(ScalarType.Float64).std().item<double>();
    }

    /// <summary>
    /// <c>checkpoints/STAGE/step-N/</c>: <c>autoencoder.safetensors</c>, the optimizer's state (<c>optimizer.bin</c>) and,
    /// written last, <c>trainer.safetensors</c> (step and seed), which marks the folder complete for <c>run --resume</c>.
    /// </summary>
    private static void Save(IRunContext context, LatentModality latent, TrainedAutoencoder autoencoder, optim.Optimizer optimizer, long step)
    {
        var checkpoint = Checkpoint.For(context.Artifacts.Root, context.StageName, step);
        string path = Path.Combine(checkpoint.Folder, AutoencoderCheckpoint.FileName);
        AutoencoderCheckpoint.Save(path, autoencoder, latent.Options);
        ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(checkpoint.OptimizerPath);
        AutoencoderCheckpoint.WriteTrainerState(checkpoint.TrainerPath, step, context.Seed);
        context.Artifacts.Record(Path.GetRelativePath(context.Artifacts.Root, path), "checkpoint");
    }

    /// <summary>Reconstruction PSNR, SSIM and the data's own metrics (fd, ...) on held-out images, and a grid.</summary>
    private void Score(IRunContext context, LatentModality latent, TrainedAutoencoder autoencoder)
    {
        using var test = latent.Images.Load(DataSplit.Test);
        if (test.Count == 0)
        {
            context.Logger.LogWarning("'{Data}' has no test split: no reconstruction scores", options.Data);
            return;
        }
        using var scope = NewDisposeScope();
        var x = test.Items.narrow(0, 0, Math.Min(options.EvalItems, test.Count));
        var reconstructed = autoencoder.Decode(autoencoder.Encode(x)).clamp(-1, 1);
        var scores = new Dictionary<string, double>
        {
            ["psnr"] = ImageQuality.Mean(ImageQuality.Psnr(ImageQuality.ToUnit(reconstructed), ImageQuality.ToUnit(x))),
            ["ssim"] = x.shape[2] >= 11 && x.shape[3] >= 11 ? ImageQuality.Mean(ImageQuality.Ssim(ImageQuality.ToUnit(reconstructed), ImageQuality.ToUnit(x))) : double.NaN,
        };
        // The reconstructions carry their test images' labels, so label metrics (class-accuracy) score them too. Before
        // any sample stage the run has no samples; the reconstructions stand in for them while they are scored.
        var standIn = context.State.Samples is null
            ? new GeneratedSamples(reconstructed.cpu().clone(), test.Labels?.narrow(0, 0, x.shape[0]).clone())
            : null;
        if (standIn is not null) context.State.Samples = standIn;
        try
        {
            foreach (var (key, value) in latent.Images.Evaluate(reconstructed, test, context)) scores["recon-" + key] = value;
        }
        finally
        {
            if (standIn is not null)
            {
                context.State.Samples = null;
                standIn.Values.Dispose();
                standIn.Labels?.Dispose();
            }
        }
        foreach (var (key, value) in scores.Where(s => double.IsFinite(s.Value)))
        {
            context.Tracker.LogMetric($"{context.StageName}/{key}", value, 0);
            context.Logger.LogInformation("{Stage}/{Key} = {Value:0.####}", context.StageName, key, value);
        }
        int shown = (int)Math.Min(8, x.shape[0]);
        latent.Images.WriteSamples(cat([x.narrow(0, 0, shown), reconstructed.narrow(0, 0, shown)]), $"{context.StageName}-reconstruction", context);
    }
}
