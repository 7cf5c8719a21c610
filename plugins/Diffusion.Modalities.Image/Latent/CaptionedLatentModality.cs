using Microsoft.Extensions.DependencyInjection;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>
/// Text-conditioned latent diffusion: the images of a captioned modality (<c>captioned-image</c>), encoded by the trained
/// KL autoencoder as for <c>latent</c>, with their caption tokens kept, so a denoiser with a text encoder trains on
/// (latent, caption) pairs, and prompts, <c>conditions: test</c> and classifier-free guidance work in the sample stage as in
/// pixel space. Samples are decoded, then written (with their prompts) and scored (prompt accuracy, fd, ...) by the
/// captioned modality.
/// </summary>
[Plugin(PluginKind.Modality, "captioned-latent", Options = typeof(CaptionedLatentModalityOptions),
    Description = "Text-to-image latent diffusion: a captioned-image component's images encoded by the trained autoencoder, captions kept; samples decoded.")]
public sealed class CaptionedLatentModality(CaptionedLatentModalityOptions options, IServiceProvider services)
    : LatentModality(options, () => Source(options, services)), IPromptModality
{
    /// <inheritdoc />
    public Tensor EncodePrompts(IReadOnlyList<string> prompts) => Prompts.EncodePrompts(prompts);

    /// <inheritdoc />
    public string ClassPrompt(int classIndex) => Prompts.ClassPrompt(classIndex);

    private IPromptModality Prompts => (IPromptModality)Images;

    private static IModality Source(CaptionedLatentModalityOptions options, IServiceProvider services)
    {
        var component = services.GetRequiredKeyedService<object>(options.Images);
        if (component is not IPromptModality captioned || captioned.Spec.Kind != "image" || captioned.Spec.ItemShape.Length != 3)
            throw new PluginInputException($"captioned-latent encodes the images of a captioned image modality, but component '{options.Images}' is not one: give it plugin: captioned-image");
        var shape = captioned.Spec.ItemShape;
        if (shape[1] % options.Downsample != 0 || shape[2] % options.Downsample != 0)
            throw new PluginInputException($"the images of '{options.Images}' are {shape[1]}x{shape[2]}, not a multiple of downsample {options.Downsample}: change image_size or downsample");
        return captioned;
    }
}
