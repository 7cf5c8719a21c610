namespace Diffusion.Tracking;

/// <summary>A free SQL query that was refused (it would write) or failed; the message says which and why.</summary>
public sealed class SqlQueryException(string message, Exception? inner = null) : Exception(message, inner);
