namespace Diffusion.Core.Export;

/// <summary>A run cannot be exported as asked; the message says why and what to do.</summary>
public sealed class ExportException(string message) : Exception(message);
