using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Example.Analytic;

/// <summary>
/// Leaves a model for later stages without training it, as a train stage would leave a trained one: the denoiser built
/// for the data's shape, with the sampler's noise schedule, in the run's state under <c>model:NAME</c>
/// (<see cref="StageState.SetModel"/>), where sample, compress and evaluate stages look. For models whose answer needs
/// no weights (<c>gaussian-exact</c>); a trainable denoiser built this way samples noise.
/// </summary>
[Plugin(PluginKind.Stage, "build-model", Options = typeof(BuildModelOptions), Description = "Builds a denoiser without training it (for closed-form models such as gaussian-exact).")]
public sealed class BuildModelStage(BuildModelOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var spec = context.Component<IModality>(options.Data).Spec;
        var schedule = context.Component<ISampler>(options.Sampler).CreateSchedule();
        var network = context.Component<IDenoiser>(options.Model).Build(spec);
        network.to(context.Device);
        network.eval();
        context.State.SetModel(options.Model, new TrainedModel(network, schedule, spec));
        context.Logger.LogInformation("built '{Model}' ({Parameters} parameters) for {Kind} data [{Shape}] with the schedule of '{Sampler}', untrained",
            options.Model, network.parameters().Sum(p => p.numel()), spec.Kind, string.Join(", ", spec.ItemShape), options.Sampler);
    }
}
