using System.Diagnostics;
using Diffusion.Abstractions.Runs;
using Spectre.Console;

namespace Diffusion.Core.Runs;

/// <summary>
/// Shows progress of long loops: on a terminal a live Spectre.Console bar (label, bar, percentage, then step, status
/// such as the loss, rate and time left) that log lines scroll above; when output is redirected (logs, CI) a plain
/// line every few seconds with the same figures and no control codes. <c>NO_COLOR</c> turns colours off.
/// </summary>
public sealed class ConsoleProgress : IProgressReporter
{
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeSpan _lineInterval;
    private readonly IAnsiConsole? _console; // on a terminal only
    private readonly object _gate = new();
    private LiveDisplay? _live; // the bar display while a task is open

    /// <summary>A reporter writing to <paramref name="output"/>: live bars when <paramref name="interactive"/>, else lines every <paramref name="lineInterval"/> (10 s).</summary>
    public ConsoleProgress(TextWriter output, bool interactive, TimeSpan? lineInterval = null)
    {
        _output = output;
        _interactive = interactive;
        _lineInterval = lineInterval ?? TimeSpan.FromSeconds(10);
        if (interactive)
        {
            _console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
                ColorSystem = NoColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Out = new AnsiConsoleOutput(output),
            });
        }
    }

    /// <summary>True when the <c>NO_COLOR</c> environment variable is set to anything (https://no-color.org).</summary>
    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>A reporter for standard error: live when it is a terminal (and TERM is not "dumb"), plain lines otherwise.</summary>
    public static ConsoleProgress ForStandardError() =>
        new(Console.Error, !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb");

    /// <summary>Writes a line of other output (a log message); on a terminal it lands above the live bar.</summary>
    public void WriteLine(string line)
    {
        lock (_gate)
        {
            if (_console is null)
            {
                _output.WriteLine(line);
                return;
            }
            _console.WriteLine(line); // plain text (no markup); Spectre's render hook redraws the bar below it
        }
    }

    /// <inheritdoc />
    public IProgressTask Start(string label, long total, long alreadyDone = 0)
    {
        if (_console is null) return new LineTask(this, label, total, alreadyDone);
        lock (_gate)
        {
            _live ??= LiveDisplay.Begin(_console);
            return new BarTask(this, _live, _live.Add(label, total, alreadyDone), total, alreadyDone);
        }
    }

    private void Closed(BarTask task)
    {
        lock (_gate)
        {
            if (_live is null || !_live.Close(task.Bar)) return;
            _live.End();
            _live = null;
        }
    }

    /// <summary>Status, rate and time left (or time taken) after the step, the same words live and in lines.</summary>
    private static string Figures(long done, long total, long start, string? status, TimeSpan elapsed, bool final)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double rate = (done - start) / seconds;
        string eta = rate > 0 && done < total ? Format(TimeSpan.FromSeconds((total - done) / rate)) : "0s";
        return (status is null ? "" : $"  {status}") + $"  {rate:0.0} it/s  " + (final ? $"took {Format(elapsed)}" : $"ETA {eta}");
    }

    private static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:0}s";

    /// <summary>A task shown as plain lines, at most one every line interval (and always the last).</summary>
    private sealed class LineTask(ConsoleProgress owner, string label, long total, long start) : IProgressTask
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastDraw = TimeSpan.MinValue;
        private long _done = -1;
        private string? _status;
        private bool _closed;

        public void Report(long done, string? status = null)
        {
            _done = done;
            _status = status ?? _status;
            var now = _clock.Elapsed;
            if (done < total && _lastDraw != TimeSpan.MinValue && now - _lastDraw < owner._lineInterval) return;
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
            if (_done < 0) _done = start;
            double fraction = total > 0 ? Math.Clamp((double)_done / total, 0, 1) : 1;
            string text = $"{label}  {_done}/{total} ({fraction:P0})" + Figures(_done, total, start, _status, _clock.Elapsed, final);
            lock (owner._gate)
            {
                owner._output.WriteLine(text);
                owner._output.Flush();
            }
        }
    }

    /// <summary>A task shown as a row of the live display.</summary>
    private sealed class BarTask : IProgressTask
    {
        private readonly ConsoleProgress _owner;
        private readonly LiveDisplay _display;
        private readonly long _total, _start;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _status;
        private bool _closed;

        public BarTask(ConsoleProgress owner, LiveDisplay display, ProgressTask bar, long total, long start)
        {
            _owner = owner;
            _display = display;
            Bar = bar;
            _total = total;
            _start = start;
            Show(start, final: false);
        }

        public ProgressTask Bar { get; }

        public void Report(long done, string? status = null)
        {
            _status = status ?? _status;
            Show(done, final: false);
        }

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            Show((long)Bar.Value, final: true);
            Bar.StopTask();
            _owner.Closed(this);
        }

        private void Show(long done, bool final)
        {
            string figures = $"{done}/{_total}" + Figures(done, _total, _start, _status, _clock.Elapsed, final);
            _display.Show(Bar, figures);
            Bar.Value = Math.Min(done, _total);
        }
    }
}
