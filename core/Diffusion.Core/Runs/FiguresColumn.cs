using System.Collections.Concurrent;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Diffusion.Core.Runs;

/// <summary>The progress display's last column: step, status (e.g. the loss), rate and time left, as each row's task sets them.</summary>
internal sealed class FiguresColumn : ProgressColumn
{
    private readonly ConcurrentDictionary<int, string> _figures = new();

    /// <inheritdoc />
    protected override bool NoWrap => true;

    /// <summary>Sets the text shown for <paramref name="task"/>.</summary>
    public void Set(ProgressTask task, string figures) => _figures[task.Id] = figures;

    /// <inheritdoc />
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(_figures.GetValueOrDefault(task.Id, ""), new Style(foreground: Color.Grey));
}
