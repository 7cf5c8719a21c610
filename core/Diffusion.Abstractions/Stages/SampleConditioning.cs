using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// The conditions of a sampling stage's samples and the guidance towards them, from its <see cref="GuidedSamplingOptions"/>:
/// class labels (<c>class_labels: cycle</c>), prompt tokens (<c>prompts</c>, or each class's prompt for a text-conditioned
/// model with <c>class_labels: cycle</c>) or held-out items (<c>conditions: test</c>). <see cref="Batch"/> gives the
/// conditioning of a batch of samples, and <see cref="Guidance"/> goes with it into the <see cref="SamplingContext"/>.
/// </summary>
public sealed class SampleConditioning : IDisposable
{
    private readonly ModalityData? _heldOut;
    private readonly Tensor? _prompts;

    private SampleConditioning(Tensor? labels, ModalityData? heldOut, Tensor? prompts, ClassifierFreeGuidance? guidance)
    {
        Labels = labels;
        _heldOut = heldOut;
        _prompts = prompts;
        Guidance = guidance;
    }

    /// <summary>The labels [count] the samples are drawn for (cycled, or those of the held-out items), or null; disposed with this object.</summary>
    public Tensor? Labels { get; }

    /// <summary>Whether sample i is conditioned on held-out item i (<c>conditions: test</c>).</summary>
    public bool FromHeldOutItems => _heldOut is not null;

    /// <summary>The classifier-free guidance to apply, or null when <c>guidance_scale</c> is 0.</summary>
    public ClassifierFreeGuidance? Guidance { get; }

    /// <summary>
    /// The conditions of <paramref name="count"/> samples drawn from <paramref name="model"/> (component
    /// <paramref name="modelName"/>), with <paramref name="data"/> the stage's data component (null when it has none).
    /// Throws <see cref="PluginInputException"/> when the model or the data cannot give the conditions asked for.
    /// </summary>
    public static SampleConditioning Create(GuidedSamplingOptions options, TrainedModel model, string modelName, string? data, int count, IRunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var labels = ClassLabels(options, model, modelName, count);
        ModalityData? heldOut = null;
        try
        {
            heldOut = options.Conditions == SampleConditions.Test ? HeldOut(context, data!, count) : null;
            if (heldOut?.Labels is { } heldLabels) labels = heldLabels.narrow(0, 0, count).clone();
            var prompts = PromptTokens(options, model, modelName, data, labels, count, context);
            return new SampleConditioning(labels, heldOut, prompts, GuidanceFor(options, model, context));
        }
        catch
        {
            labels?.Dispose();
            heldOut?.Dispose();
            throw;
        }
    }

    /// <summary>The conditioning of samples <paramref name="first"/> .. first+count−1 on <paramref name="device"/>, or null when they have none.</summary>
    public Conditioning? Batch(long first, long count, Device device)
    {
        var conditioning = _heldOut is not null
            ? _heldOut.ItemConditioning(first, count, device)
            : Labels is null ? null : new Conditioning(ClassLabels: Labels.narrow(0, first, count).to(device));
        if (_prompts is not null)
            conditioning = (conditioning ?? new Conditioning()) with { Tokens = _prompts.narrow(0, first, count).to(device) };
        return conditioning;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Labels?.Dispose();
        _heldOut?.Dispose();
        _prompts?.Dispose();
    }

    /// <summary>The labels [count] for <c>class_labels: cycle</c>, or null for unconditional samples.</summary>
    private static Tensor? ClassLabels(GuidedSamplingOptions options, TrainedModel model, string modelName, int count)
    {
        if (options.ClassLabels == SampleClassLabels.None) return null;
        int classes = model.Data.NumClasses;
        if (classes == 0)
            throw new PluginInputException(
                $"class_labels: cycle needs a model of data with classes, but model '{modelName}' was trained on data without any; remove class_labels");
        return arange(count, dtype: ScalarType.Int64).remainder(classes);
    }

    /// <summary>The held-out split of the data component, whose first <paramref name="count"/> items condition the samples.</summary>
    private static ModalityData HeldOut(IRunContext context, string data, int count)
    {
        // Validation guarantees data: is set with conditions: test (GuidedSamplingOptions.ValidateConditions).
        var reference = context.Component<IModality>(data).Load(DataSplit.Test);
        if (reference.ConditionTokens is null && reference.ConditionImages is null && reference.Labels is null)
        {
            reference.Dispose();
            throw new PluginInputException($"conditions: test, but the held-out items of '{data}' carry no condition (no labels, condition tokens or images); remove conditions");
        }
        if (reference.Count < count)
        {
            long have = reference.Count;
            reference.Dispose();
            throw new PluginInputException($"conditions: test draws one sample per held-out item, but '{data}' has {have} held-out items and count is {count}: set count to at most {have}");
        }
        return reference;
    }

    /// <summary>
    /// The condition tokens [count, L] of the prompts (given, or one per class for <c>class_labels: cycle</c> with a
    /// text-conditioned model), or null when the samples have no prompt.
    /// </summary>
    private static Tensor? PromptTokens(GuidedSamplingOptions options, TrainedModel model, string modelName, string? data, Tensor? labels, int count, IRunContext context)
    {
        bool textModel = model.Data.ConditionVocabSize > 0;
        bool cyclePrompts = textModel && options.ClassLabels == SampleClassLabels.Cycle;
        if (options.Prompts is null && !cyclePrompts) return null;
        if (!textModel)
            throw new PluginInputException($"prompts need a text-conditioned model, but '{modelName}' was trained on data without condition tokens; remove prompts or train on captioned data");
        if (data is null || context.Component<IModality>(data) is not IPromptModality modality)
            throw new PluginInputException($"prompts are turned into condition tokens by the data component: set data: to the captioned modality '{modelName}' was trained on");
        // Class prompts read the labels once as an array (indexing the tensor per sample made a handle per sample).
        long[] classes = options.Prompts is { Length: > 0 } ? [] : labels!.data<long>().ToArray();
        var texts = new string[count];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = options.Prompts is { Length: > 0 } given ? given[i % given.Length] : modality.ClassPrompt((int)classes[i]);
        context.Logger.LogInformation("prompts: {Prompts}", string.Join(" | ", texts.Distinct().Take(10)));
        var tokens = modality.EncodePrompts(texts);
        if (tokens.dim() != 2 || tokens.shape[0] != texts.Length || tokens.shape[1] != model.Data.ConditionLength)
            throw new InvalidOperationException(
                $"'{data}' encoded {texts.Length} prompts as [{string.Join(", ", tokens.shape)}], expected [{texts.Length}, {model.Data.ConditionLength}]");
        return tokens;
    }

    /// <summary>The classifier-free guidance to apply, or null when off.</summary>
    private static ClassifierFreeGuidance? GuidanceFor(GuidedSamplingOptions options, TrainedModel model, IRunContext context)
    {
        if (options.GuidanceScale == 0)
        {
            if (options.GuidanceRescale > 0) context.Logger.LogWarning("guidance_rescale is only used with guidance_scale > 0");
            return null;
        }
        return new ClassifierFreeGuidance(options.GuidanceScale, options.GuidanceRescale, model.Data.NumClasses);
    }
}
