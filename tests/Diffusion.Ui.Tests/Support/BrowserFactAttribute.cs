namespace Diffusion.Ui.Tests.Support;

/// <summary>
/// A test in headless Chromium from Debian's <c>chromium</c> package (<see cref="Chromium"/>; nothing downloads a
/// browser). Skipped where it is not installed on a developer's machine; in CI (CI=true) it runs and fails with the reason.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium) && !PostgresFactAttribute.InCi)
        {
            Skip = $"{Chromium} is missing: sudo apt-get install chromium";
        }
    }
}
