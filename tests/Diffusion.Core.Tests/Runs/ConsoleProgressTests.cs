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
        using (var task = progress.Start("sample", 4))
        {
            task.Report(1, "loss 0.2500");
            progress.WriteLine("info: hello");
            task.Report(4);
        }

        string text = output.ToString();
        int message = text.IndexOf("info: hello", StringComparison.Ordinal);
        Assert.True(message > 0, "the message is written while the bar is shown");
        Assert.Contains("\u001b[", text[..message], StringComparison.Ordinal); // the live bar is cleared (cursor codes) before it
        Assert.Contains("sample", text[message..]); // and the bar comes back below it
        Assert.Contains("━", text); // drawn as a bar
        // The last frame: all four steps, the status kept from the earlier report, rate and time taken.
        Assert.Matches(@"4/4  loss 0\.2500  [0-9.]+ it/s  took \d+s", text[message..]);
    }

    [Fact]
    public void NoColorTurnsColoursOffOnATerminal()
    {
        string? before = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            var output = new StringWriter();
            var progress = new ConsoleProgress(output, interactive: true);
            using (var task = progress.Start("train", 2)) task.Report(2, "loss 0.1");

            // Cursor movement stays (the bar is live), but no SGR colour sequence such as ESC[38;5;…m or ESC[32m.
            Assert.DoesNotMatch(@"\u001b\[[0-9;]*(3[0-9]|9[0-7])[0-9;]*m", output.ToString());
            Assert.True(ConsoleProgress.NoColor);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", before);
        }
    }
}
