namespace Diffusion.Abstractions.Checkpoints;

/// <summary>A checkpoint does not fit the model it is loaded into; the host reports it as the user's mistake, without a stack trace.</summary>
/// <param name="message">What does not fit: tensor names and shapes.</param>
public sealed class CheckpointMismatchException(string message) : Exception(message);
