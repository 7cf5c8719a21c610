using Spectre.Console;

namespace Diffusion.Core.Runs;

/// <summary>
/// A Spectre.Console progress display kept open on a background thread while loops report from theirs: Spectre's
/// <c>Progress.Start</c> owns the thread it is called on, whereas <see cref="ConsoleProgress"/> tasks are started and
/// reported by the pipeline. Rows stay on screen when they end (the final figures say how long each took).
/// </summary>
internal sealed class LiveDisplay
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly ProgressContext _context;
    private readonly HashSet<ProgressTask> _open = [];
    private readonly FiguresColumn _figures = new();

    private LiveDisplay(IAnsiConsole console)
    {
        var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                console.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(
                        new TaskDescriptionColumn { Alignment = Justify.Left },
                        new ProgressBarColumn { Width = 24 },
                        new PercentageColumn(),
                        _figures)
                    .Start(context =>
                    {
                        ready.SetResult(context);
                        _stop.Wait();
                        context.Refresh();
                    });
            }
            catch (Exception e)
            {
                ready.TrySetException(e);
            }
        });
        _thread.IsBackground = true;
        _thread.Name = "progress display";
        _thread.Start();
        _context = ready.Task.GetAwaiter().GetResult();
    }

    /// <summary>Starts the display on <paramref name="console"/>.</summary>
    public static LiveDisplay Begin(IAnsiConsole console) => new(console);

    /// <summary>Adds a row.</summary>
    public ProgressTask Add(string label, long total, long alreadyDone)
    {
        var task = _context.AddTask(Markup.Escape(label), autoStart: true, maxValue: Math.Max(1, total));
        task.Value = Math.Min(alreadyDone, Math.Max(1, total));
        _open.Add(task);
        return task;
    }

    /// <summary>Sets the step, status, rate and time shown in <paramref name="task"/>'s row.</summary>
    public void Show(ProgressTask task, string figures) => _figures.Set(task, figures);

    /// <summary>Marks a row ended; true when it was the last open one.</summary>
    public bool Close(ProgressTask task)
    {
        _open.Remove(task);
        return _open.Count == 0;
    }

    /// <summary>Draws the final state and stops the display.</summary>
    public void End()
    {
        _stop.Set();
        _thread.Join();
    }
}
