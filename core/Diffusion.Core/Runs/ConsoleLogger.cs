using Microsoft.Extensions.Logging;

namespace Diffusion.Core.Runs;

/// <summary>
/// A minimal logger: one line per message, tagged with the level, written through the progress display so that
/// a message never lands in the middle of a live progress bar.
/// </summary>
public sealed class ConsoleLogger(ConsoleProgress output, LogLevel minimum = LogLevel.Information) : ILogger
{
    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string level = logLevel switch
        {
            LogLevel.Warning => "warning",
            LogLevel.Error or LogLevel.Critical => "error",
            LogLevel.Debug or LogLevel.Trace => "debug",
            _ => "info",
        };
        output.WriteLine($"{level}: {formatter(state, exception)}");
    }
}
