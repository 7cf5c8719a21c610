using System.CommandLine;
using System.Net.Sockets;
using Diffusion.Ui;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion ui [--port 5600] [--host 127.0.0.1] [--token T]</c>: the read-only web dashboard over the tracking
/// store (docs/dashboard.md). Loopback only unless a token is given; serves until Ctrl+C.
/// </summary>
internal static class UiCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port).", DefaultValueFactory = _ => 5600 };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on. Anything but loopback (e.g. 0.0.0.0) needs a token.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var token = new Option<string?>("--token") { Description = $"Token every request must carry (default: ${DashboardOptions.TokenVariable})." };
        var command = new Command("ui", "Open the read-only web dashboard of runs and sweeps (http://127.0.0.1:5600 by default); see docs/dashboard.md.")
        {
            port, host, token,
        };
        command.SetAction(result =>
        {
            if (CommandLine.Tracking(result) is not { } tracking) return CommandLine.InvalidInput;
            if (!tracking.Exists)
            {
                Console.Error.WriteLine($"error: {tracking.Location} does not exist: no runs recorded there (run a pipeline first, or pass --db PATH)");
                return CommandLine.InvalidInput;
            }

            var options = new DashboardOptions
            {
                Database = tracking.Location,
                ArtifactRoot = result.GetValue(CommandLine.Artifacts) ?? Environment.GetEnvironmentVariable("DIFFUSION_ARTIFACTS"),
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                Token = result.GetValue(token) ?? NullIfEmpty(Environment.GetEnvironmentVariable(DashboardOptions.TokenVariable)),
            };
            if (options.Problem() is { } problem)
            {
                Console.Error.WriteLine($"error: {problem}");
                return CommandLine.InvalidInput;
            }

            using var app = Dashboard.Create(options);
            try
            {
                app.Start();
            }
            catch (IOException e) when (e.InnerException is SocketException or null)
            {
                Console.Error.WriteLine($"error: cannot listen on {options.Host}:{options.Port} ({e.Message}); pass --port N (or --port 0 for any free port)");
                return CommandLine.InvalidInput;
            }

            foreach (var url in app.Urls)
            {
                Console.WriteLine($"Dashboard of {tracking.Location}: {url}/{(options.Token is null ? "" : "?token=" + Uri.EscapeDataString(options.Token))}");
            }

            Console.WriteLine("Read-only. Ctrl+C stops it.");
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
