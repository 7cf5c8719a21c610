using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// The options every sampling stage has for its samples' conditions and classifier-free guidance: class labels, prompts or
/// held-out items as the condition, and the guidance scale and rescale. A stage's options derive from it, and the stage
/// builds each batch's conditioning with <see cref="SampleConditioning"/>, so every stage reads and checks them the same way.
/// </summary>
public abstract class GuidedSamplingOptions
{
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
    /// The mistakes these options alone decide, for the stage's <see cref="IValidatableObject.Validate"/> (reported at
    /// validation, file and line, before anything trains); <paramref name="data"/> is the stage's data component, null
    /// when it has none. Those that depend on the trained model or the data's size are checked when the stage runs.
    /// </summary>
    protected IEnumerable<ValidationResult> ValidateConditions(string? data)
    {
        bool prompts = Prompts is { Length: > 0 };
        if (Prompts is { Length: 0 })
            yield return new ValidationResult("prompts is an empty list: give at least one prompt, or remove prompts", [nameof(Prompts)]);
        if (prompts && Conditions == SampleConditions.Test)
            yield return new ValidationResult("prompts and conditions: test both set the samples' text conditions: keep one of them", [nameof(Prompts)]);
        if (prompts && data is null)
            yield return new ValidationResult("prompts are turned into condition tokens by the data component: set data: to the captioned modality the model was trained on", [nameof(Prompts)]);
        if (Conditions == SampleConditions.Test && data is null)
            yield return new ValidationResult("conditions: test takes each sample's condition from the held-out items of the data component: set data: on this stage", [nameof(Conditions)]);
        if (ClassLabels == SampleClassLabels.Cycle && Conditions == SampleConditions.Test)
            yield return new ValidationResult("class_labels: cycle and conditions: test both choose the samples' labels: keep one of them", [nameof(ClassLabels)]);
        if (GuidanceScale > 0 && ClassLabels == SampleClassLabels.None && !prompts && Conditions == SampleConditions.None)
            yield return new ValidationResult("guidance_scale steers samples towards their condition, but they have none: set class_labels, prompts or conditions, or guidance_scale: 0", [nameof(GuidanceScale)]);
    }
}
