using Diffusion.Modalities.Image.Png;
using Diffusion.Modalities.Image.Restoration;
using Diffusion.Samplers.Ddim;
using Diffusion.Samplers.Ddpm;
using Diffusion.Samplers.Euler;

namespace Diffusion.Plugins.Tests.Restoration;

/// <summary>The stages end to end on 12x12 shapes with an untrained network: what they log, write and keep.</summary>
public class RestorationStageTests
{
    private static DdimSampler Ddim() => new(new DdimOptions { TimestepSpacing = TimestepSpacing.Trailing });

    [Fact]
    public void Inpaint_logs_repaint_and_both_baselines_and_keeps_known_pixels()
    {
        using var context = new RestorationTestContext(Ddim()) { StageName = "inpaint" };
        var stage = new InpaintStage(new InpaintStageOptions
        {
            Model = "model", Data = "data", Count = 3, BatchSize = 2, Steps = 4, JumpLength = 2, JumpNSample = 2,
        });

        stage.Run(context);

        var metrics = context.Tracker.Metrics;
        foreach (string key in new[] { "psnr", "ssim", "psnr_mean_fill", "ssim_mean_fill", "psnr_replace", "ssim_replace", "missing_fraction" })
            Assert.True(metrics.ContainsKey("inpaint/" + key), key);
        Assert.Equal(0, metrics["inpaint/known_max_error"]);
        Assert.Equal(0.25, metrics["inpaint/missing_fraction"], 6); // the centred 6x6 square of 12x12
        Assert.Equal(new long[] { 3, 1, 12, 12 }, context.Samples.shape);
        var grid = ImageCodec.Read(Path.Combine(context.Artifacts.Root, "inpaint.png"));
        int cell = 12 * ImageGrid.Scale(12, 12) + 1; // 12x12 images enlarged to at least 64 px, 1 px padding
        Assert.Equal((5 * cell + 1, 3 * cell + 1), (grid.Width, grid.Height)); // truth, masked, mean fill, replace, RePaint
    }

    [Fact]
    public void Inpaint_results_do_not_depend_on_the_batch_size()
    {
        Tensor Run(int batchSize)
        {
            using var context = new RestorationTestContext(Ddim()) { StageName = "inpaint" };
            new InpaintStage(new InpaintStageOptions
            {
                Model = "model", Data = "data", Count = 3, BatchSize = batchSize, Steps = 3, JumpLength = 1, JumpNSample = 2,
                Mask = MaskKind.Strokes, Baselines = false,
            }).Run(context);
            return context.Samples.clone();
        }

        using var one = Run(1);
        using var three = Run(3);

        Assert.True(one.allclose(three, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Inpaint_by_the_ode_needs_a_flow_model()
    {
        using var context = new RestorationTestContext(Ddim()) { StageName = "inpaint" };
        var stage = new InpaintStage(new InpaintStageOptions { Model = "model", Data = "data", Count = 1, Steps = 2, Method = InpaintMethod.Ode });

        var error = Assert.Throws<PluginInputException>(() => stage.Run(context));

        Assert.Contains("method: ode", error.Message);
        Assert.Contains("prediction_type epsilon", error.Message);
        Assert.Contains("use method: ancestral", error.Message);
    }

    [Fact]
    public void Inpaint_with_a_mask_file_of_the_wrong_size_says_so()
    {
        using var folder = new Fakes.TempFolder();
        string path = InpaintMaskTests.WritePng(folder, "mask.png", 16, 16, new byte[256]);
        using var context = new RestorationTestContext(Ddim());
        var stage = new InpaintStage(new InpaintStageOptions { Model = "model", Data = "data", Count = 1, Steps = 2, Mask = MaskKind.File, MaskFile = path });

        var error = Assert.Throws<PluginInputException>(() => stage.Run(context));

        Assert.Contains("16x16", error.Message);
        Assert.Contains("12x12", error.Message);
    }

    [Fact]
    public void Superres_logs_the_model_and_the_bicubic_baseline()
    {
        using var context = new RestorationTestContext(new EulerSampler(new SigmaSamplerOptions()), extraInChannels: 1) { StageName = "superres" };
        context.State.SetCondition("model", "low_res x2 bicubic");
        var stage = new SuperResolutionStage(new SuperResolutionStageOptions { Model = "model", Data = "data", Sampler = "sampler", Count = 2, Steps = 3 });

        stage.Run(context);

        var metrics = context.Tracker.Metrics;
        foreach (string key in new[] { "psnr", "ssim", "psnr_bicubic", "ssim_bicubic", "low_res_rms_error", "low_res_rms_error_bicubic" })
            Assert.True(metrics.ContainsKey("superres/" + key), key);
        Assert.InRange(metrics["superres/ssim_bicubic"], 0.3, 1.0);
        Assert.Equal(new long[] { 2, 1, 12, 12 }, context.Samples.shape);
        Assert.True(File.Exists(Path.Combine(context.Artifacts.Root, "superres.png")));
    }

    [Fact]
    public void Superres_needs_a_model_trained_with_the_same_condition()
    {
        using var context = new RestorationTestContext(Ddim(), extraInChannels: 1);
        var stage = new SuperResolutionStage(new SuperResolutionStageOptions { Model = "model", Data = "data", Sampler = "sampler", Scale = 4, Count = 1, Steps = 2 });

        var missing = Assert.Throws<PluginInputException>(() => stage.Run(context));
        context.State.SetCondition("model", "low_res x2 bicubic");
        var mismatched = Assert.Throws<PluginInputException>(() => stage.Run(context));

        Assert.Contains("low_res_scale: 4", missing.Message);
        Assert.Contains("'low_res x2 bicubic'", mismatched.Message);
        Assert.Contains("'low_res x4 bicubic'", mismatched.Message);
    }

    [Fact]
    public void Denoise_starts_at_the_input_noise_level_and_logs_the_noisy_baseline()
    {
        using var context = new RestorationTestContext(new DdpmSampler(new DdpmOptions())) { StageName = "denoise" };
        var stage = new DenoiseStage(new DenoiseStageOptions { Model = "model", Data = "data", Sampler = "sampler", Count = 2, Steps = 3, NoiseStd = 0.1 });

        stage.Run(context);

        var metrics = context.Tracker.Metrics;
        foreach (string key in new[] { "psnr", "ssim", "psnr_input", "ssim_input", "input_rms_difference" })
            Assert.True(metrics.ContainsKey("denoise/" + key), key);
        Assert.InRange(metrics["denoise/psnr_input"], 17, 26); // std 0.1 of the range: 20 dB, up to 3 dB more where clamping at black or white halves the noise
        var schedule = context.State.Model("model").Schedule;
        Assert.True(schedule.SigmaAt(metrics["denoise/start_timestep"]) >= 0.2, "noise std 0.1 is sigma 0.2 in model space");
    }

    [Fact]
    public void Sdedit_with_a_clean_input_logs_where_it_started()
    {
        using var context = new RestorationTestContext(Ddim()) { StageName = "sdedit" };
        var stage = new SdeditStage(new SdeditStageOptions { Model = "model", Data = "data", Sampler = "sampler", Count = 1, Steps = 2, Strength = 0.3 });

        stage.Run(context);

        Assert.Equal(30, context.Tracker.Metrics["sdedit/start_timestep"]); // round(0.3 * 99), trailing spacing starts there
        Assert.False(context.Tracker.Metrics.ContainsKey("sdedit/psnr_input")); // the input is exact: +inf is printed, not logged
    }
}
