using System.Net;
using System.Text.RegularExpressions;

namespace Diffusion.Cli.Tests;

/// <summary><c>diffusion ui</c> as a user starts it: one error line for a mistake, else a link that serves the dashboard.</summary>
public sealed partial class UiCommandTests
{
    [Fact]
    public void A_missing_database_is_one_error_line_and_nothing_is_created()
    {
        using var work = new WorkDir();

        var result = Cli.Run(work.Path, "ui", "--db", "nowhere/tracking.db", "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("does not exist", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "nowhere")));
    }

    [Fact]
    public void Another_machine_may_only_look_with_a_token()
    {
        using var db = new RunsDatabase();

        var result = Cli.Run(db.Work.Path, "ui", "--host", "0.0.0.0", "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Contains("give a token (--token T or $DIFFUSION_UI_TOKEN)", result.Stderr);
    }

    [Fact]
    public async Task The_printed_link_opens_the_dashboard_of_the_database()
    {
        using var db = new RunsDatabase();
        var id = db.Add("alpha", [("lr", 0.01)], [("loss", [1.0, 0.5])]);
        using var process = Cli.Start(db.Work.Path, null, "ui", "--port", "0");
        using var reaper = Cli.KillOnDispose(process);

        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var url = Link().Match(line ?? "").Value;
        Assert.StartsWith("http://127.0.0.1:", url);
        using var http = new HttpClient();
        var runs = await http.GetStringAsync(url + "api/runs");
        Assert.Contains($"\"id\":\"{id}\"", runs);
        Assert.Contains("<main id=\"page\">", await http.GetStringAsync(url));
        var post = await http.PostAsync(url + "api/runs", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [GeneratedRegex(@"http://\S+/")]
    private static partial Regex Link();
}
