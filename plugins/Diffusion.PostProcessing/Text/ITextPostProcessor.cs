namespace Diffusion.PostProcessing.Text;

/// <summary>
/// A post-processor of decoded text. Contract: <see cref="Process(string)"/> is a pure function of its input (same
/// text in, same text out), never throws on any string, and is idempotent (processing its own output changes nothing).
/// A text modality applies it to each sample after decoding tokens to strings.
/// </summary>
public interface ITextPostProcessor
{
    /// <summary>Returns the processed text.</summary>
    string Process(string text);
}
