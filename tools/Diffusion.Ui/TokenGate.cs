using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Diffusion.Ui;

/// <summary>
/// Lets a request in only with the dashboard's token: as <c>Authorization: Bearer T</c>, as the cookie this gate
/// sets, or once as <c>?token=T</c> in the address (the link <c>diffusion ui</c> prints), which sets the cookie and
/// sends the browser to the same address without the token. Tokens are compared in constant time.
/// </summary>
internal sealed class TokenGate(string token)
{
    public const string CookieName = "diffusion_ui_token";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.Query.TryGetValue("token", out var given) && Matches(given))
        {
            context.Response.Cookies.Append(CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            var rest = request.Query.Where(q => q.Key != "token").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}");
            var query = string.Join('&', rest);
            context.Response.Redirect($"{request.PathBase}{request.Path}{(query.Length > 0 ? "?" + query : "")}");
            return Task.CompletedTask;
        }

        var header = request.Headers.Authorization.ToString();
        if ((header.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(header["Bearer ".Length..])) ||
            (request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie)))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(new { error = "this dashboard needs its token: open the address 'diffusion ui' printed (…?token=T) or send Authorization: Bearer T" }, Dashboard.Json);
    }

    private bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
