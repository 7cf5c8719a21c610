using System.Diagnostics;
using Diffusion.Abstractions.Runs;

namespace Diffusion.Core.Runs;

/// <summary>
/// Shows progress of long loops: a live bar redrawn in place on a terminal, or a plain line every few seconds
/// when output is redirected (logs, CI). Each line says step, status (e.g. loss), rate and time left.
/// </summary>
public sealed class ConsoleProgress(TextWriter output, bool interactive, TimeSpan? lineInterval = null) : IProgressReporter
{
    private readonly TextWriter _output = output;
    private readonly bool _interactive = interactive;
    private readonly TimeSpan _lineInterval = lineInterval ?? TimeSpan.FromSeconds(10);
    private string? _liveBar; // the bar now drawn on the terminal's last line, if any

    /// <summary>A reporter for standard error: live when it is a terminal, plain lines otherwise.</summary>
    public static ConsoleProgress ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    /// <summary>Writes a line of other output (a log message) above the live bar, which is then drawn again.</summary>
    public void WriteLine(string line)
    {
        lock (this)
        {
            if (_liveBar is null)
            {
                _output.WriteLine(line);
                return;
            }
            _output.Write("\r\u001b[2K" + line + Environment.NewLine + _liveBar);
            _output.Flush();
        }
    }

    /// <inheritdoc />
    public IProgressTask Start(string label, long total, long alreadyDone = 0) => new Task(this, label, total, alreadyDone);

    private sealed class Task(ConsoleProgress owner, string label, long total, long start) : IProgressTask
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastDraw = TimeSpan.MinValue;
        private long _done = start;
        private readonly long _start = start;
        private string? _status;
        private bool _closed;

        public void Report(long done, string? status = null)
        {
            _done = done;
            _status = status ?? _status;
            var now = _clock.Elapsed;
            var interval = owner._interactive ? TimeSpan.FromMilliseconds(100) : owner._lineInterval;
            if (done < total && _lastDraw != TimeSpan.MinValue && now - _lastDraw < interval) return;
            _lastDraw = now;
            Draw(final: false);
        }

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            Draw(final: true);
        }

        private void Draw(bool final)
        {
            double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
            double rate = (_done - _start) / seconds;
            string eta = rate > 0 && _done < total ? Format(TimeSpan.FromSeconds((total - _done) / rate)) : "0s";
            double fraction = total > 0 ? Math.Clamp((double)_done / total, 0, 1) : 1;
            string text = $"{label}  {_done}/{total} ({fraction:P0})" +
                          (_status is null ? "" : $"  {_status}") +
                          $"  {rate:0.0} it/s  " + (final ? $"took {Format(_clock.Elapsed)}" : $"ETA {eta}");
            lock (owner)
            {
                if (owner._interactive)
                {
                    const int width = 24;
                    int filled = (int)Math.Round(fraction * width);
                    string bar = "[" + new string('#', filled) + new string('.', width - filled) + "] ";
                    owner._output.Write("\r\u001b[2K" + bar + text);
                    owner._liveBar = final ? null : bar + text;
                    if (final) owner._output.WriteLine();
                }
                else
                {
                    owner._output.WriteLine(text);
                }
                owner._output.Flush();
            }
        }

        private static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:0}s";
    }
}
