using System.Security.Cryptography;

namespace Diffusion.Tracking;

/// <summary>Run ids: 10 random lowercase hex characters (40 bits), short enough to type, long enough not to collide.</summary>
internal static class RunIds
{
    public const int Length = 10;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length / 2));
}
