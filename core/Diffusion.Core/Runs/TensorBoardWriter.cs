using Diffusion.Abstractions.Runs;
using SkiaSharp;
using TorchSharp;
using TorchSharp.Modules;

namespace Diffusion.Core.Runs;

/// <summary>
/// Mirrors a run into TensorBoard event files (TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>) under the
/// run folder's <c>tensorboard/</c>: every metric as a scalar at its step, and every image-grid artifact (sample grids)
/// as an image at the latest step seen, so <c>tensorboard --logdir runs/</c> shows all runs side by side. The tracking
/// database stays the record; these files are a view of it.
/// </summary>
internal sealed class TensorBoardWriter(string logDirectory)
{
    private readonly SummaryWriter _writer = torch.utils.tensorboard.SummaryWriter(logDirectory);
    private readonly object _gate = new();
    private long _lastStep;

    /// <summary>The folder the event files are in.</summary>
    public string LogDirectory => _writer.LogDir;

    /// <summary>A tracker that records to <paramref name="inner"/> and writes metrics here too.</summary>
    public ITracker Wrap(ITracker inner) => new Tracker(inner, this);

    /// <summary>An artifact store that writes to <paramref name="inner"/> and shows image grids here too.</summary>
    public IArtifactStore Wrap(IArtifactStore inner) => new Artifacts(inner, this);

    private void Scalar(string key, double value, long step)
    {
        if (!double.IsFinite(value)) return; // TensorBoard draws NaN as a gap anyway; the database keeps it
        lock (_gate)
        {
            _lastStep = Math.Max(_lastStep, step);
            _writer.add_scalar(key, (float)value, checked((int)step));
        }
    }

    private void Image(string relativePath, string file)
    {
        using var bitmap = SKBitmap.Decode(file);
        if (bitmap is null) return;
        using var scope = torch.NewDisposeScope();
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        var pixels = torch.tensor(source.Bytes, [source.Height, source.Width, 4], dtype: torch.ScalarType.Byte)[.., .., ..3].permute(2, 0, 1).contiguous();
        string tag = Path.ChangeExtension(relativePath.Replace('\\', '/'), null);
        lock (_gate) _writer.add_img(tag, pixels, checked((int)_lastStep));
    }

    private sealed class Tracker(ITracker inner, TensorBoardWriter board) : ITracker
    {
        public void LogMetric(string key, double value, long step)
        {
            inner.LogMetric(key, value, step);
            board.Scalar(key, value, step);
        }

        public void LogParam(string key, object value) => inner.LogParam(key, value);

        public void SetTag(string key, string value) => inner.SetTag(key, value);
    }

    private sealed class Artifacts(IArtifactStore inner, TensorBoardWriter board) : IArtifactStore
    {
        public string Root => inner.Root;

        public string Write(string relativePath, string kind, Action<Stream> write)
        {
            string path = inner.Write(relativePath, kind, write);
            if (kind == "image-grid" && path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) board.Image(relativePath, path);
            return path;
        }

        public void Record(string relativePath, string kind) => inner.Record(relativePath, kind);
    }
}
