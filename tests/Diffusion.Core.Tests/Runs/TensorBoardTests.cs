using System.Buffers.Binary;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace Diffusion.Core.Tests.Runs;

/// <summary>--tensorboard: the event files a run writes hold its metrics and sample grids, as TensorBoard reads them.</summary>
public class TensorBoardTests
{
    [Fact]
    public void A_run_writes_its_metrics_and_sample_grids_to_event_files_that_read_back()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");
        var runner = new PipelineRunner(NullLogger.Instance, new SilentProgress());

        var result = runner.Run(new RunRequest(TinyPipeline.Load(temp), db, Path.GetDirectoryName(db)!) { TensorBoard = true }, CancellationToken.None);

        Assert.Equal(RunStatus.Completed, result.Status);
        string file = Assert.Single(Directory.GetFiles(Path.Combine(result.RunFolder, "tensorboard"), "events.out.tfevents.*"));
        var events = ReadEvents(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v))).ToList();

        using var store = TrackingStores.Open(db);
        var loss = store.MetricHistory(result.RunId, "train/loss");
        var logged = scalars.Where(s => s.v.Tag == "train/loss").Select(s => (s.Step, (double)s.v.SimpleValue)).ToList();
        Assert.Equal(loss.Select(p => (p.Step, (double)(float)p.Value)), logged); // every point, at its step, as float32

        var grid = Assert.Single(scalars, s => s.v.Tag == "sample").v.Image;
        using var png = SKBitmap.Decode(grid.EncodedImageString.ToByteArray());
        using var written = SKBitmap.Decode(Path.Combine(result.RunFolder, "sample.png"));
        Assert.Equal((written.Width, written.Height), (grid.Width, grid.Height));
        Assert.Equal((written.Width, written.Height), (png.Width, png.Height));
        Assert.Equal(written.GetPixel(written.Width / 2, written.Height / 2), png.GetPixel(png.Width / 2, png.Height / 2));
    }

    [Fact]
    public void Without_the_option_there_are_no_event_files()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");

        var result = new PipelineRunner(NullLogger.Instance, new SilentProgress()).Run(new RunRequest(TinyPipeline.Load(temp), db, Path.GetDirectoryName(db)!), CancellationToken.None);

        Assert.False(Directory.Exists(Path.Combine(result.RunFolder, "tensorboard")));
    }

    /// <summary>Reads a TFRecord file: per record a little-endian length, its masked CRC-32C, the bytes, their masked CRC-32C.</summary>
    private static List<Tensorboard.Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Tensorboard.Event>();
        for (int at = 0; at < bytes.Length;)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            events.Add(Tensorboard.Event.Parser.ParseFrom(bytes, at + 12, (int)length));
            at += 12 + (int)length + 4;
        }
        return events;
    }
}
