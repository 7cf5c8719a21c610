using Diffusion.Abstractions.Plugins;

namespace Diffusion.Abstractions.Tests;

/// <summary>
/// Diffusion.Abstractions is what third-party plugins compile against: any change to its public surface must be
/// visible in review. The surface is rendered as sorted text and compared with the checked-in baseline.
/// </summary>
public class PublicApiTests
{
    /// <summary>Set to 1 to rewrite the baseline with the current surface (then review and commit the diff).</summary>
    public const string AcceptVariable = "DIFFUSION_ACCEPT_API";

    private static readonly string BaselinePath = Path.Combine(RepoRoot(), "tests", "Diffusion.Abstractions.Tests", "PublicApi.baseline.txt");

    [Fact]
    public void PublicApiMatchesTheBaseline()
    {
        string actual = PublicApi.Render(typeof(PluginAttribute).Assembly);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(BaselinePath, actual);
            return;
        }

        string expected = File.Exists(BaselinePath) ? File.ReadAllText(BaselinePath).ReplaceLineEndings("\n") : "";
        if (expected == actual) return;
        Assert.Fail(
            "The public API of Diffusion.Abstractions changed (- baseline, + now):\n" + PublicApi.Diff(expected, actual) +
            $"\nIf the change is intended, rewrite the baseline with\n  {AcceptVariable}=1 dotnet test tests/Diffusion.Abstractions.Tests\n" +
            "and commit PublicApi.baseline.txt. Removing or changing a member is a breaking change: bump the major <Version> " +
            "in core/Diffusion.Abstractions/Diffusion.Abstractions.csproj; an addition bumps the minor version.");
    }

    [Fact]
    public void RenderingIsStableAndCoversEveryKindOfMember()
    {
        string api = PublicApi.Render(typeof(PluginAttribute).Assembly);

        Assert.Equal(api, PublicApi.Render(typeof(PluginAttribute).Assembly));
        Assert.Contains("public interface Diffusion.Abstractions.Samplers.ISampler", api);
        Assert.Contains("  Diffusion.Abstractions.Samplers.NoiseSchedule CreateSchedule()", api);
        Assert.Contains("public sealed class Diffusion.Abstractions.Plugins.PluginAttribute : System.Attribute", api);
        Assert.Contains("  System.Type? Options { get; init; }", api);
        Assert.Contains("public enum Diffusion.Abstractions.Samplers.BetaSchedule", api);
        Assert.Contains("  Cosine = 2", api);
        Assert.Contains("  const System.String MaskSuffix = \"_mask\"", api);
    }

    [Fact]
    public void TheAssemblyVersionChangesOnlyWithTheMajorVersion()
    {
        var version = typeof(PluginAttribute).Assembly.GetName().Version!;

        Assert.True(version.Major >= 1, $"Diffusion.Abstractions is {version}: the contracts are released, so the major version is at least 1");
        Assert.Equal((0, 0, 0), (version.Minor, version.Build, version.Revision));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Diffusion.Framework.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
