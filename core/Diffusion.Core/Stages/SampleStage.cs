using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Abstractions.Stages;
using Diffusion.Core.Checkpoints;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Core.Stages;

/// <summary>Options of the <c>sample</c> stage.</summary>
public sealed class SampleStageOptions : IValidatableObject
{
    /// <summary>The trained denoiser component to sample from.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component to sample from.")]
    public string Model { get; set; } = "";

    /// <summary>The scheduler (sampler) to use; any sampler works with any trained model.</summary>
    [Required, ComponentRef(PluginKind.Scheduler), Description("Scheduler component used as the sampler.")]
    public string Scheduler { get; set; } = "";

    /// <summary>The modality that writes the samples (e.g. as a PNG grid); none writes nothing.</summary>
    [ComponentRef(PluginKind.Modality), Description("Modality component that writes the samples as artifacts (optional).")]
    public string? Data { get; set; }

    /// <summary>Number of samples.</summary>
    [Range(1, 1_000_000), Description("Number of samples.")]
    public int Count { get; set; } = 64;

    /// <summary>Samples per batch; does not change any sample's values.</summary>
    [Range(1, 65536), Description("Samples per batch (does not change the samples).")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Denoising steps (network evaluations for first-order samplers).</summary>
    [Range(1, 100_000), Description("Denoising steps.")]
    public int Steps { get; set; } = 50;

    /// <summary>Class labels to draw the samples for: none (unconditional) or cycle (sample i gets class i mod the class count).</summary>
    [Description("Class labels to condition on: none, or cycle (sample i gets class i mod the number of classes; needs a class-conditional model, or a text-conditioned one whose data gives each class a prompt).")]
    public SampleClassLabels ClassLabels { get; set; } = SampleClassLabels.None;

    /// <summary>Text prompts for a text-conditioned model; sample i gets prompt i mod the number of prompts.</summary>
    [Description("Prompts for a text-conditioned model (sample i gets prompt i mod the count); the data component turns them into condition tokens.")]
    public string[]? Prompts { get; set; }

    /// <summary>Where the samples' conditions come from besides labels and prompts: none, or test (sample i gets test item i's conditions).</summary>
    [Description("none, or test: sample i is conditioned on held-out item i of the data component (its caption tokens, condition image and label), e.g. image-to-text.")]
    public SampleConditions Conditions { get; set; } = SampleConditions.None;

    /// <summary>Classifier-free guidance scale w: output = (1+w)·cond − w·uncond; 0 turns guidance off.</summary>
    [Range(0.0, 100.0), Description("Classifier-free guidance scale w: (1+w)*cond - w*uncond (0 = off; the model must have been trained with cond_dropout).")]
    public double GuidanceScale { get; set; }

    /// <summary>CFG rescale φ (Lin et al. 2024): blends the guided output with a copy rescaled to the conditional output's standard deviation.</summary>
    [Range(0.0, 1.0), Description("Guidance rescale phi in [0, 1]: blend of the guided output with a copy rescaled to the conditional output's std (counters over-saturation at high w).")]
    public double GuidanceRescale { get; set; }

    /// <summary>
    /// The mistakes the options alone decide, reported at validation (file and line, exit 2) before anything trains.
    /// Those that depend on the trained model or the data's size are checked when the stage runs.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        bool prompts = Prompts is { Length: > 0 };
        if (Prompts is { Length: 0 })
            yield return new ValidationResult("prompts is an empty list: give at least one prompt, or remove prompts", [nameof(Prompts)]);
        if (prompts && Conditions == SampleConditions.Test)
            yield return new ValidationResult("prompts and conditions: test both set the samples' text conditions: keep one of them", [nameof(Prompts)]);
        if (prompts && Data is null)
            yield return new ValidationResult("prompts are turned into condition tokens by the data component: set data: to the captioned modality the model was trained on", [nameof(Prompts)]);
        if (Conditions == SampleConditions.Test && Data is null)
            yield return new ValidationResult("conditions: test takes each sample's condition from the held-out items of the data component: set data: on this stage", [nameof(Conditions)]);
        if (ClassLabels == SampleClassLabels.Cycle && Conditions == SampleConditions.Test)
            yield return new ValidationResult("class_labels: cycle and conditions: test both choose the samples' labels: keep one of them", [nameof(ClassLabels)]);
        if (GuidanceScale > 0 && ClassLabels == SampleClassLabels.None && !prompts && Conditions == SampleConditions.None)
            yield return new ValidationResult("guidance_scale steers samples towards their condition, but they have none: set class_labels, prompts or conditions, or guidance_scale: 0", [nameof(GuidanceScale)]);
    }
}

/// <summary>Where the <c>sample</c> stage's per-sample conditions come from.</summary>
public enum SampleConditions
{
    /// <summary>Only class labels or prompts, if given.</summary>
    None,
    /// <summary>Sample i is conditioned on held-out item i of the data component.</summary>
    Test,
}

/// <summary>Which class labels the <c>sample</c> stage conditions on.</summary>
public enum SampleClassLabels
{
    /// <summary>No labels: unconditional samples ("no class" for a class-conditional model).</summary>
    None,
    /// <summary>Sample i is drawn for class i mod the number of classes, so every class gets its share.</summary>
    Cycle,
}

/// <summary>
/// Draws samples from a trained model with a chosen sampler. Sample i starts from noise of its own generator
/// (run seed, i) and keeps it through the loop, so its values do not depend on the batch size.
/// </summary>
[Plugin(PluginKind.Stage, "sample", Options = typeof(SampleStageOptions), Description = "Draws samples from a trained model with a chosen sampler.")]
public sealed class SampleStage(SampleStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = StageHelpers.TrainedModel(context, options.Model);
        if (LowResolutionCondition.Recorded(context.State, options.Model) is var (scale, _))
            throw new PluginInputException(
                $"model '{options.Model}' was trained on a low-resolution condition (low_res_scale: {scale}), so it cannot sample without one: use a superres stage");
        var scheduler = context.Component<IScheduler>(options.Scheduler);
        var labels = Labels(model);
        using var held = options.Conditions == SampleConditions.Test ? HeldOutConditions(model, context) : null;
        if (held?.Labels is { } heldLabels) labels = heldLabels.narrow(0, 0, options.Count).clone();
        using var prompts = PromptTokens(model, labels, context);
        var guidance = Guidance(model, context);
        var samples = new List<Tensor>();
        using var progress = context.Progress.Start(context.StageName, (long)options.Steps * ((options.Count + options.BatchSize - 1) / options.BatchSize));
        int batchIndex = 0;
        var statistics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        using (no_grad())
        {
            for (int first = 0; first < options.Count; first += options.BatchSize, batchIndex++)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(options.BatchSize, options.Count - first);
                using var generators = context.GeneratorsFor(first, n, "sample");
                var noise = generators.Randn(model.Data.ItemShape, context.Device);
                var conditioning = held is not null
                    ? StageHelpers.ItemConditioning(held, first, n, context.Device)
                    : labels is null ? null : new Conditioning(ClassLabels: labels.narrow(0, first, n).to(context.Device));
                if (prompts is not null)
                    conditioning = (conditioning ?? new Conditioning()) with { Tokens = prompts.narrow(0, first, n).to(context.Device) };
                var sampling = new SamplingContext(model, options.Steps, generators)
                {
                    Conditioning = conditioning,
                    Guidance = guidance,
                    Progress = progress,
                    ProgressOffset = (long)batchIndex * options.Steps,
                    Cancellation = context.Cancellation,
                    Statistics = statistics,
                };
                var x = scheduler.Sample(noise, sampling);
                samples.Add(scope.MoveToOuter(x.cpu()));
            }
        }
        var all = cat(samples.ToArray());
        foreach (var s in samples) s.Dispose();
        try
        {
            StageHelpers.RequireFinite(all, $"sampler '{options.Scheduler}' in stage '{context.StageName}'");
        }
        catch (PluginInputException)
        {
            all.Dispose();
            throw;
        }
        context.Logger.LogInformation("drew {Count} samples with {Steps} steps", options.Count, options.Steps);
        foreach (var (key, value) in statistics)
        {
            context.Tracker.LogMetric($"{context.StageName}/{key}", value, 0);
            context.Logger.LogInformation("{Stage}/{Key} = {Value}", context.StageName, key, value);
        }
        // The raw samples (model space) for later scoring or comparison, readable by Python's safetensors.
        context.Artifacts.Write($"{context.StageName}.safetensors", "samples", stream => SafeTensors.Write(stream, [new("samples", all)]));
        // The samples' labels and condition items go into the state first: the data component's WriteSamples may read
        // them (a captioned modality writes the prompt of each sample beside the grid).
        if (context.State.TryGetValue(StateKeys.SampleLabels, out var old) && old is Tensor oldLabels) oldLabels.Dispose();
        if (labels is null) context.State.Remove(StateKeys.SampleLabels);
        else context.State[StateKeys.SampleLabels] = labels;
        if (context.State.TryGetValue(StateKeys.SampleConditionItems, out var oldItems) && oldItems is Tensor oldItemTensor) oldItemTensor.Dispose();
        if (held is null) context.State.Remove(StateKeys.SampleConditionItems);
        else context.State[StateKeys.SampleConditionItems] = arange(options.Count, dtype: ScalarType.Int64);
        StageHelpers.PublishSamples(context, all, options.Data);
        if (options.GuidanceScale > 0) context.Tracker.LogMetric($"{context.StageName}/guidance_scale", options.GuidanceScale, 0);
    }

    /// <summary>The held-out split of the data component, whose first <c>count</c> items condition the samples.</summary>
    private ModalityData HeldOutConditions(TrainedModel model, IRunContext context)
    {
        // Validation guarantees data: is set with conditions: test (SampleStageOptions.Validate).
        var reference = context.Component<IModality>(options.Data!).Load(DataSplit.Test);
        if (reference.ConditionTokens is null && reference.ConditionImages is null && reference.Labels is null)
        {
            reference.Dispose();
            throw new PluginInputException($"conditions: test, but the held-out items of '{options.Data}' carry no condition (no labels, condition tokens or images); remove conditions");
        }
        if (reference.Count < options.Count)
        {
            long have = reference.Count;
            reference.Dispose();
            throw new PluginInputException($"conditions: test draws one sample per held-out item, but '{options.Data}' has {have} held-out items and count is {options.Count}: set count to at most {have}");
        }
        return reference;
    }

    /// <summary>
    /// The condition tokens [count, L] of the prompts (given, or one per class for <c>class_labels: cycle</c> with a
    /// text-conditioned model), or null when the samples have no prompt.
    /// </summary>
    private Tensor? PromptTokens(TrainedModel model, Tensor? labels, IRunContext context)
    {
        bool textModel = model.Data.ConditionVocabSize > 0;
        bool cyclePrompts = textModel && options.ClassLabels == SampleClassLabels.Cycle;
        if (options.Prompts is null && !cyclePrompts) return null;
        if (!textModel)
            throw new PluginInputException($"prompts need a text-conditioned model, but '{options.Model}' was trained on data without condition tokens; remove prompts or train on captioned data");
        if (options.Data is null || context.Component<IModality>(options.Data) is not IPromptModality modality)
            throw new PluginInputException($"prompts are turned into condition tokens by the data component: set data: to the captioned modality '{options.Model}' was trained on");
        // Class prompts read the labels once as an array (indexing the tensor per sample made a handle per sample).
        long[] classes = options.Prompts is { Length: > 0 } ? [] : labels!.data<long>().ToArray();
        var texts = new string[options.Count];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = options.Prompts is { Length: > 0 } given ? given[i % given.Length] : modality.ClassPrompt((int)classes[i]);
        context.Logger.LogInformation("prompts: {Prompts}", string.Join(" | ", texts.Distinct().Take(10)));
        var tokens = modality.EncodePrompts(texts);
        if (tokens.dim() != 2 || tokens.shape[0] != texts.Length || tokens.shape[1] != model.Data.ConditionLength)
            throw new InvalidOperationException(
                $"'{options.Data}' encoded {texts.Length} prompts as [{string.Join(", ", tokens.shape)}], expected [{texts.Length}, {model.Data.ConditionLength}]");
        return tokens;
    }

    /// <summary>The classifier-free guidance to apply, or null when off.</summary>
    private ClassifierFreeGuidance? Guidance(TrainedModel model, IRunContext context)
    {
        if (options.GuidanceScale == 0)
        {
            if (options.GuidanceRescale > 0) context.Logger.LogWarning("guidance_rescale is only used with guidance_scale > 0");
            return null;
        }
        return new ClassifierFreeGuidance(options.GuidanceScale, options.GuidanceRescale, model.Data.NumClasses);
    }

    /// <summary>The labels [count] the samples are drawn for, or null for unconditional samples.</summary>
    private Tensor? Labels(TrainedModel model)
    {
        if (options.ClassLabels == SampleClassLabels.None) return null;
        int classes = model.Data.NumClasses;
        if (classes == 0)
            throw new PluginInputException(
                $"class_labels: cycle needs a model of data with classes, but model '{options.Model}' was trained on data without any; remove class_labels");
        return arange(options.Count, dtype: ScalarType.Int64).remainder(classes);
    }
}
