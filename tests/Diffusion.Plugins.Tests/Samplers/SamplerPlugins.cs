using System.Reflection;
using Diffusion.Samplers.Ddpm;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>Every sampler plugin of Diffusion.Samplers, created by name the way the host does: options object, then constructor.</summary>
internal static class SamplerPlugins
{
    /// <summary>The names issue 3 asks for.</summary>
    public static readonly string[] Required =
    [
        "ddpm", "ddim", "euler", "euler-ancestral", "heun", "dpm2", "lms", "dpmpp-2s-ancestral",
        "dpmpp-2m", "dpmpp-2m-sde", "dpmpp-3m-sde", "unipc", "deis", "edm",
    ];

    /// <summary>The rectified-flow samplers (issue 20): options derive <see cref="FlowSamplerOptions"/>, tested in Flow/.</summary>
    public static readonly string[] Flow = ["flow-euler", "flow-heun", "flow-rk3"];

    /// <summary>Samplers for distilled students (issue 21), tested with the distill stage in Diffusion.Stages.Tests.</summary>
    public static readonly string[] Distilled = ["consistency"];

    /// <summary>Samplers that evaluate the model twice per step (except the last step).</summary>
    public static readonly string[] TwoEvaluationsPerStep = ["heun", "dpm2", "dpmpp-2s-ancestral", "edm"];

    /// <summary>Samplers that draw fresh noise with their default options.</summary>
    public static readonly string[] Stochastic = ["ddpm", "euler-ancestral", "dpmpp-2s-ancestral", "dpmpp-2m-sde", "dpmpp-3m-sde", "edm"];

    public static IReadOnlyDictionary<string, (Type Sampler, Type Options)> Plugins { get; } =
        typeof(DdpmSampler).Assembly.GetTypes()
            .Select(t => (Type: t, Plugin: t.GetCustomAttribute<PluginAttribute>()))
            .Where(p => p.Plugin is { Kind: PluginKind.Sampler })
            .ToDictionary(p => p.Plugin!.Name, p => (p.Type, p.Plugin!.Options!));

    /// <summary>
    /// A sampler with its default options, then <paramref name="settings"/> (property name, value) applied, the prediction
    /// type set, and x0 clipping turned off (Gaussian test data leave [−1, 1]).
    /// </summary>
    public static ISampler Create(string name, PredictionType prediction = PredictionType.Epsilon, params (string Property, object Value)[] settings)
    {
        var (schedulerType, optionsType) = Plugins[name];
        var options = (SamplerOptions)Activator.CreateInstance(optionsType)!;
        options.PredictionType = prediction;
        optionsType.GetProperty("ClipSample")?.SetValue(options, false);
        foreach (var (property, value) in settings)
        {
            var p = optionsType.GetProperty(property) ?? throw new ArgumentException($"{name} has no option {property}");
            p.SetValue(options, value);
        }
        return (ISampler)Activator.CreateInstance(schedulerType, options)!;
    }

    /// <summary>Model evaluations for <paramref name="steps"/> steps.</summary>
    public static int Evaluations(string name, int steps) => TwoEvaluationsPerStep.Contains(name) ? 2 * steps - 1 : steps;

    /// <summary>The settings that make a sampler deterministic (no churn, η = 0).</summary>
    public static (string, object)[] Deterministic(string name) => name switch
    {
        "euler-ancestral" or "dpmpp-2s-ancestral" or "dpmpp-2m-sde" or "dpmpp-3m-sde" or "ddim" => [("Eta", 0.0)],
        "edm" => [("SChurn", 0.0)],
        _ => [],
    };
}
