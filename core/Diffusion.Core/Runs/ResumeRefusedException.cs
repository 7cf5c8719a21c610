namespace Diffusion.Core.Runs;

/// <summary>
/// A run cannot be continued as asked: it already completed, or the pipeline differs from the one it was started
/// with. The message says why and what to do; nothing was changed.
/// </summary>
public sealed class ResumeRefusedException(string message) : Exception(message);
