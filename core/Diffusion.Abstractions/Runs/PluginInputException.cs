namespace Diffusion.Abstractions.Runs;

/// <summary>
/// A problem the user can fix (a missing dataset, a malformed file). The host prints the message without a
/// stack trace. The message should say what is wrong and how to fix it.
/// </summary>
public sealed class PluginInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginInputException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public PluginInputException(string message, Exception inner) : base(message, inner) { }
}
