using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Diffusion.Ui;

/// <summary>
/// The read-only web dashboard over a tracking store: a JSON API under <c>/api</c> and the static front end. Every
/// route answers GET and HEAD only; any other method gets 405. The store is opened read-only, and the only files
/// served are the front end's and those inside a run's folder.
/// </summary>
public static class Dashboard
{
    /// <summary>The methods every route answers.</summary>
    internal static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // NaN and infinities are legal metric values; JSON has no literal for them, so they go as "NaN".
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Builds the dashboard for <paramref name="options"/> (listening on its host and port once started). The store
    /// is opened now, so a missing or unreadable one is reported before anything listens.
    /// </summary>
    /// <param name="options">What to serve and where.</param>
    /// <param name="configure">Changes to the host before it is built (tests put it on an in-memory server).</param>
    /// <exception cref="ArgumentException">The options cannot be served (<see cref="DashboardOptions.Problem"/> says why).</exception>
    /// <exception cref="Diffusion.Tracking.TrackingStoreException">The store does not exist or cannot be read.</exception>
    public static WebApplication Create(DashboardOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        var staticRoot = Path.GetFullPath(options.StaticRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot"));

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(Dashboard).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') && !options.Host.StartsWith('[') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var data = new DashboardData(options);
        builder.Services.AddSingleton(data);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(data.Dispose);
        app.Use(SecurityHeaders);
        app.Use(ReadOnly);
        if (options.Token is { } token) app.Use(new TokenGate(token).InvokeAsync);
        else app.Use(LoopbackHostsOnly);
        var files = Directory.Exists(staticRoot) ? new PhysicalFileProvider(staticRoot) : null;
        if (files is not null)
        {
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        app.UseRouting();
        var api = app.MapGroup("/api");
        api.MapMethods("/info", ReadMethods, () => Results.Json(new
        {
            location = data.Location,
            version = typeof(Dashboard).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            readOnly = true,
        }, Json));
        RunsEndpoints.Map(api, data);
        SweepsEndpoints.Map(api, data);
        api.MapFallback(() => Problem(404, "no such API route; see docs/dashboard.md"));
        // The front end routes in the page (#/run/ID); any other path gets the page, or says the bundle is missing.
        app.MapFallback(async context =>
        {
            var index = files?.GetFileInfo("index.html");
            if (index is { Exists: true })
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.SendFileAsync(index);
                return;
            }

            context.Response.StatusCode = 500;
            await context.Response.WriteAsync($"the dashboard's front end is not built: {staticRoot} is missing (dotnet build builds it; it needs node and npm)");
        });
        return app;
    }

    /// <summary>A JSON error: <c>{ "error": message }</c>.</summary>
    internal static IResult Problem(int status, string message) => Results.Json(new { error = message }, Json, statusCode: status);

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        return next(context);
    }

    /// <summary>
    /// Without a token, only requests addressed to this machine by name (localhost, 127.0.0.1, ::1): a web page
    /// elsewhere that points its own host name at 127.0.0.1 (DNS rebinding) cannot read the dashboard.
    /// </summary>
    private static Task LoopbackHostsOnly(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host.Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
            (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address)))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(new { error = $"host '{context.Request.Host}' is not this machine: open http://127.0.0.1:PORT/ (other machines need --token)" }, Json);
    }

    /// <summary>Nothing but GET and HEAD, on every path: the dashboard never changes anything.</summary>
    private static Task ReadOnly(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) return next(context);
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "GET, HEAD";
        return context.Response.WriteAsJsonAsync(new { error = $"the dashboard is read-only: {context.Request.Method} is not allowed" }, Json);
    }
}
