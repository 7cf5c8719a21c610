using Diffusion.Abstractions.PostProcessing;

namespace Diffusion.Stages;

/// <summary>Applies a chain of post-processors to the current samples.</summary>
[Plugin(PluginKind.Stage, "postprocess", Options = typeof(PostprocessStageOptions), Description = "Applies post-processors to the samples, in order.")]
public sealed class PostprocessStage(PostprocessStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var samples = StageHelpers.Samples(context);
        var current = samples.Values;
        foreach (string name in options.Processors)
        {
            var next = context.Component<IPostProcessor>(name).Process(current, context);
            if (!ReferenceEquals(current, samples.Values)) current.Dispose();
            current = next;
        }
        // The same samples, processed: what they were drawn for (labels, condition items) still holds.
        StageHelpers.PublishSamples(context, samples with { Values = current }, options.Data);
    }
}
