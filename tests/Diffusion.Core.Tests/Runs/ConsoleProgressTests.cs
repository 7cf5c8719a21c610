using Diffusion.Core.Runs;

namespace Diffusion.Core.Tests.Runs;

public class ConsoleProgressTests
{
    [Fact]
    public void RedirectedOutputGetsPlainLinesWithStepStatusRateAndEta()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, interactive: false, lineInterval: TimeSpan.Zero);

        using (var task = progress.Start("train", 10))
        {
            task.Report(5, "loss 0.5000");
        }

        string text = output.ToString();
        Assert.DoesNotContain("\u001b", text, StringComparison.Ordinal); // no terminal control codes in logs
        Assert.Contains("train  5/10 (50", text);
        Assert.Contains("loss 0.5000", text);
        Assert.Contains("it/s  ETA", text);
        Assert.Contains("took", text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public void OnATerminalALogLineIsWrittenAboveTheLiveBarWhichIsDrawnAgain()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, interactive: true);
        using var task = progress.Start("sample", 4);
        task.Report(1);

        progress.WriteLine("info: hello");

        string text = output.ToString();
        int message = text.IndexOf("\r\u001b[2Kinfo: hello" + Environment.NewLine, StringComparison.Ordinal);
        Assert.True(message > 0, "the bar's line is cleared before the message");
        Assert.Contains("sample  1/4", text[message..]); // and the bar comes back below it
    }
}
