using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Tests.Pipelines;

/// <summary>Writes pipeline files into a fresh temp folder and loads them.</summary>
public abstract class PipelineTestBase : IDisposable
{
    protected const string Quickstart = """
        name: quickstart
        seed: 42
        components:
          data: { plugin: image, dataset: shapes, image_size: 16 }
          model: { plugin: unet2d, base_channels: 32, channel_mults: [1, 2] }
          noise: { plugin: ddpm, beta_schedule: cosine }
          clamp: { plugin: clamp }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1500 }
          - { name: sample, type: sample, model: model, sampler: noise, data: data, count: 64, steps: 50 }
          - { name: post, type: postprocess, processors: [clamp], data: data }
          - { name: eval, type: evaluate, data: data, model: model }
        """;

    protected PipelineTestBase()
    {
        Dir = Path.Combine(Path.GetTempPath(), "dsl-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    protected string Dir { get; }

    /// <summary>Writes a file (relative to the temp folder) and returns its full path.</summary>
    protected string Write(string name, string text)
    {
        string path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Writes a pipeline that is about its components: a file without a top-level <c>stages:</c> key gets a
    /// do-nothing postprocess stage at its end (so no location moves), as a pipeline with no stages is an error of
    /// its own (see <see cref="PipelineLimitsTests"/>).
    /// </summary>
    protected string WriteFragment(string name, string text)
    {
        bool hasStages = text.Split('\n').Any(line => line.StartsWith("stages:", StringComparison.Ordinal));
        if (!hasStages && !text.StartsWith("extends:", StringComparison.Ordinal))
            text = (text.Length == 0 || text.EndsWith('\n') ? text : text + "\n") + "stages: [{name: fragment, type: postprocess}]\n";
        return Write(name, text);
    }

    protected static PipelineDocument Load(string path, params string[] overrides) => PipelineLoader.Load(path, overrides);

    protected static PipelineSpec Bind(string path, params string[] overrides) =>
        PipelineBinder.Bind(PipelineLoader.Load(path, overrides), FakeCatalog.Instance);

    /// <summary>The errors of loading and binding, as printed.</summary>
    protected static List<string> Errors(string path, params string[] overrides)
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Bind(path, overrides));
        Assert.NotEmpty(ex.Errors);
        return ex.Errors.Select(e => e.ToString()).ToList();
    }

    protected static T Options<T>(PipelineSpec spec, string component) =>
        Assert.IsType<T>(spec.Components.Single(c => c.Name == component).Options);

    protected static T StageOptions<T>(PipelineSpec spec, string stage) =>
        Assert.IsType<T>(spec.Stages.Single(s => s.Name == stage).Options);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}
