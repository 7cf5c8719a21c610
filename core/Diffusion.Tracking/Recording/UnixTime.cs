namespace Diffusion.Tracking;

/// <summary>Times are stored as unix milliseconds (UTC).</summary>
internal static class UnixTime
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static DateTimeOffset From(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? FromNullable(long? ms) => ms is { } value ? From(value) : null;
}
