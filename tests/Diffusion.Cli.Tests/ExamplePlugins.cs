using System.Diagnostics;

namespace Diffusion.Cli.Tests;

/// <summary>
/// Builds the out-of-tree example plugins (examples/plugins/Examples.slnx: the examples and the failure-mode
/// plugins) once per test run, with one <c>dotnet build</c>, into a temporary folder holding <c>out/</c>,
/// <c>out-failure-modes/</c> and copies of <c>all-kinds.yaml</c> and <c>analytic.yaml</c>.
/// </summary>
public sealed class ExamplePlugins : IDisposable
{
    public ExamplePlugins()
    {
        Directory.CreateDirectory(Root);
        string examples = Path.Combine(Cli.RepoRoot, "examples", "plugins");
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = examples,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "build", "Examples.slnx", "-c", configuration, "-nologo", "-v", "q", $"-p:ExamplesOutputRoot={Root}/" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("building examples/plugins/Examples.slnx took more than 5 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet build examples/plugins/Examples.slnx failed:\n{stdout.Result}\n{stderr.Result}");
        File.Copy(Path.Combine(examples, "all-kinds.yaml"), AllKinds);
        File.Copy(Path.Combine(examples, "analytic.yaml"), Analytic);
    }

    /// <summary>The temporary folder the examples were built into.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "diffusion-examples-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The six working examples, one folder each.</summary>
    public string Out => Path.Combine(Root, "out");

    /// <summary>The plugins that fail on purpose, one folder each.</summary>
    public string FailureModes => Path.Combine(Root, "out-failure-modes");

    /// <summary>all-kinds.yaml beside <see cref="Out"/> (it lists <c>plugins: [out]</c>).</summary>
    public string AllKinds => Path.Combine(Root, "all-kinds.yaml");

    /// <summary>analytic.yaml beside <see cref="Out"/>: sampling the closed-form model of Example.Analytic.</summary>
    public string Analytic => Path.Combine(Root, "analytic.yaml");

    /// <summary>A copy of one failure-mode plugin's folder under <paramref name="work"/>, to break or combine freely.</summary>
    public string CopyFailureMode(string name, string work)
    {
        string to = Path.Combine(work, "broken", name);
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(FailureModes, name)))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        return to;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ExamplePluginsCollection : ICollectionFixture<ExamplePlugins>
{
    public const string Name = "example plugins";
}
