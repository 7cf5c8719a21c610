using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Pipelines;

// Options classes of the fake plugins the pipeline tests bind against (no dependency on the real plugins).

public enum TestDataset
{
    Shapes,
    [OptionName("fashion-mnist")] FashionMnist,
}

public sealed class TestImageOptions
{
    [Description("Which data set.")]
    public TestDataset Dataset { get; set; } = TestDataset.Shapes;

    [Range(4, 1024), Description("Image side in pixels.")]
    public int ImageSize { get; set; } = 32;

    public string? Path { get; set; }
}

public sealed class TestFolderOptions
{
    [Required, Description("Folder of images.")]
    public string? Path { get; set; }
}

public sealed class TestEmaOptions
{
    [Range(0.0, 1.0)]
    public double Decay { get; set; } = 0.999;

    public bool Enabled { get; set; } = true;
}

public sealed class TestUnetOptions
{
    [Range(1, 1024)]
    public int BaseChannels { get; set; } = 64;

    [MinLength(1)]
    public int[] ChannelMults { get; set; } = [1, 2, 4];

    public List<int> AttentionResolutions { get; set; } = [];

    [Range(0.0, 1.0)]
    public float Dropout { get; set; } = 0.1f;

    public TestEmaOptions Ema { get; set; } = new();

    public long? MaxParams { get; set; }
}

public enum TestBetaSchedule
{
    Linear,
    ScaledLinear,
    Cosine,
}

public class TestSamplerOptions
{
    [Description("Beta spacing.")]
    public TestBetaSchedule BetaSchedule { get; set; } = TestBetaSchedule.Linear;

    [Range(2, 100_000), Description("Training timesteps.")]
    public int Timesteps { get; set; } = 1000;
}

public sealed class TestDdpmOptions : TestSamplerOptions
{
    public bool ClipSample { get; set; } = true;
}

public sealed class TestClampOptions : IValidatableObject
{
    public double Min { get; set; } = -1.0;

    public double Max { get; set; } = 1.0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Min >= Max)
            yield return new ValidationResult($"min ({Min}) must be less than max ({Max})", [nameof(Max)]);
    }
}

public sealed class TestTrainOptions
{
    [Required, ComponentRef(PluginKind.Denoiser)]
    public string Model { get; set; } = "";

    [Required, ComponentRef(PluginKind.Modality)]
    public string Data { get; set; } = "";

    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler")]
    public string Sampler { get; set; } = "";

    [Range(1, 10_000_000), Description("Optimizer steps.")]
    public int Steps { get; set; } = 1000;

    [Range(1, 4096)]
    public int BatchSize { get; set; } = 32;

    [Range(1e-8, 1.0)]
    public double Lr { get; set; } = 2e-4;
}

public sealed class TestSampleOptions
{
    [Required, ComponentRef(PluginKind.Denoiser)]
    public string Model { get; set; } = "";

    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler")]
    public string Sampler { get; set; } = "";

    [ComponentRef(PluginKind.Modality)]
    public string? Data { get; set; }

    [Range(1, 100_000)]
    public int Count { get; set; } = 16;

    public int Steps { get; set; } = 50;
}

public sealed class TestPostprocessOptions
{
    [ComponentRef(PluginKind.PostProcessor)]
    public List<string> Processors { get; set; } = [];

    [ComponentRef(PluginKind.Modality)]
    public string? Data { get; set; }
}

public sealed class TestEvaluateOptions
{
    [ComponentRef(PluginKind.Modality)]
    public string? Data { get; set; }

    [ComponentRef(PluginKind.Denoiser)]
    public string? Model { get; set; }
}

/// <summary>A catalog of fake plugins for the pipeline tests.</summary>
/// <summary>The fake image modality's class: it declares one metric's goal, as a real plugin would.</summary>
[MetricGoal("diversity", MetricGoal.Maximize)]
public sealed class TestImageModality;

public sealed class FakeCatalog : IPluginCatalog
{
    public static FakeCatalog Instance { get; } = new();

    /// <summary>The fake plugins, and <paramref name="extra"/> (kind, name, options type) besides them.</summary>
    public FakeCatalog(params (PluginKind Kind, string Name, Type? Options)[] extra)
    {
        All = new[]
            {
                Plugin(PluginKind.Modality, "image", typeof(TestImageOptions)) with { Implementation = typeof(TestImageModality) },
                Plugin(PluginKind.Modality, "folder", typeof(TestFolderOptions)),
                Plugin(PluginKind.Denoiser, "unet2d", typeof(TestUnetOptions)),
                Plugin(PluginKind.Denoiser, "twin", null),
                Plugin(PluginKind.Sampler, "ddpm", typeof(TestDdpmOptions)),
                Plugin(PluginKind.Sampler, "ddim", typeof(TestSamplerOptions)),
                Plugin(PluginKind.Sampler, "twin", null),
                Plugin(PluginKind.PostProcessor, "clamp", typeof(TestClampOptions)),
                Plugin(PluginKind.PostProcessor, "identity", null),
                Plugin(PluginKind.Stage, "train", typeof(TestTrainOptions)),
                Plugin(PluginKind.Stage, "sample", typeof(TestSampleOptions)),
                Plugin(PluginKind.Stage, "postprocess", typeof(TestPostprocessOptions)),
                Plugin(PluginKind.Stage, "evaluate", typeof(TestEvaluateOptions)),
            }
            .Concat(extra.Select(e => Plugin(e.Kind, e.Name, e.Options)))
            .OrderBy(p => p.Kind).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<PluginDescriptor> All { get; }

    public PluginDescriptor? Find(PluginKind kind, string name) => All.FirstOrDefault(p => p.Kind == kind && p.Name == name);

    public IReadOnlyList<string> NamesOf(PluginKind kind) => All.Where(p => p.Kind == kind).Select(p => p.Name).ToList();

    private static PluginDescriptor Plugin(PluginKind kind, string name, Type? options) =>
        new(kind, name, typeof(object), options, "Tests", "1.0", "built-in", null);
}
