using static TorchSharp.torch;

namespace Diffusion.Kernels.Tests;

/// <summary>
/// The self-check and the guard that switches oneDNN off when a kernel is wrong (issue 15). Wrong kernels are injected,
/// so these run on any CPU. Each test leaves libtorch on the path this process decided on.
/// </summary>
public sealed class KernelGuardTests : IDisposable
{
    private readonly TempFolder cacheFolder = new();
    private readonly KernelPath processPath = KernelGuard.EnsureForProcess().Path;

    public void Dispose()
    {
        KernelGuard.Decide(processPath == KernelPath.Default ? "default" : "fallback", Cache, KernelCase.Training, null, recheck: false);
        cacheFolder.Dispose();
    }

    private KernelCheckCache Cache => new(cacheFolder.Path);

    private static KernelCase SameShapeConv(string name, Func<Tensor, Tensor, Tensor> corrupt) =>
        new(name, [new("input", [4, 16, 8, 8]), new("weight", [16, 16, 3, 3], 0.08), new("bias", [16], 0.1)],
            l => corrupt(nn.functional.conv2d(l[0], l[1], l[2], padding: [1, 1]), l[0]));

    /// <summary>Right forward, wrong input gradient in float32: the shape of the oneDNN failure in issue 15.</summary>
    private static Tensor WrongInputGradient(Tensor y, Tensor x) =>
        x.dtype == ScalarType.Float32 ? y + 0.5 * (x - x.detach()) : y;

    [Fact]
    public void The_shipped_kernels_pass_on_the_path_this_process_uses()
    {
        var report = KernelSelfCheck.Run();

        Assert.True(report.Passed, report.Failures);
        Assert.Equal(KernelCase.Training.Count, report.Results.Count);
        Assert.All(report.Results, r => Assert.InRange(r.GradientError, 0, KernelSelfCheck.Tolerance));
    }

    [Fact]
    public void A_kernel_with_a_wrong_gradient_fails_the_check_naming_the_kernel_and_the_leaf()
    {
        var report = KernelSelfCheck.Run([SameShapeConv("bad conv", WrongInputGradient), KernelCase.Training[0]]);

        Assert.False(report.Passed);
        var bad = report.Results[0];
        Assert.False(bad.Passed);
        Assert.Equal("input", bad.WorstGradient);
        Assert.True(bad.GradientError > 0.01, $"gradient error {bad.GradientError}");
        Assert.True(bad.OutputError < 1e-5, "the injected fault leaves the forward pass right");
        Assert.True(report.Results[1].Passed);
        Assert.Contains("bad conv", report.Failures);
    }

    [Fact]
    public void A_kernel_that_returns_nan_fails_the_check()
    {
        var report = KernelSelfCheck.Run([SameShapeConv("nan conv", (y, x) => x.dtype == ScalarType.Float32 ? y + (x - x.detach()) * double.NaN : y)]);

        Assert.False(report.Passed);
        Assert.True(double.IsNaN(report.Results[0].OutputError));
    }

    [Fact]
    public void A_kernel_wrong_only_with_onednn_switches_the_process_to_the_fallback_and_the_decision_is_cached()
    {
        int calls = 0;
        var onlyWithOneDnn = SameShapeConv("conv wrong with oneDNN", (y, x) =>
        {
            calls++;
            return LibTorchContext.OneDnnEnabled == true ? WrongInputGradient(y, x) : y;
        });

        var decision = KernelGuard.Decide("auto", Cache, [onlyWithOneDnn], null, recheck: false);

        Assert.Equal(KernelPath.Fallback, decision.Path);
        Assert.Equal("checked", decision.How);
        Assert.False(decision.DefaultCheck!.Passed);
        Assert.True(decision.FallbackCheck!.Passed);
        Assert.Contains("conv wrong with oneDNN", decision.Reason);
        Assert.False(LibTorchContext.OneDnnEnabled);
        Assert.True(File.Exists(decision.CacheFile));

        KernelGuard.Decide("default", Cache, KernelCase.Training, null, recheck: false);
        calls = 0;
        var again = KernelGuard.Decide("auto", Cache, [onlyWithOneDnn], null, recheck: false);

        Assert.Equal(KernelPath.Fallback, again.Path);
        Assert.Equal("cached", again.How);
        Assert.Equal(0, calls);
        Assert.False(LibTorchContext.OneDnnEnabled);
    }

    [Fact]
    public void A_kernel_wrong_on_every_path_is_a_clear_error_and_onednn_is_left_on()
    {
        var alwaysWrong = SameShapeConv("conv wrong everywhere", WrongInputGradient);

        var error = Assert.Throws<KernelCheckException>(() => KernelGuard.Decide("auto", Cache, [alwaysWrong], null, recheck: false));

        Assert.Contains("conv wrong everywhere", error.Message);
        Assert.Contains("diffusion doctor", error.Message);
        Assert.Contains("DIFFUSION_KERNELS=default", error.Message);
        Assert.True(LibTorchContext.OneDnnEnabled);
        Assert.Empty(Directory.EnumerateFiles(cacheFolder.Path, "*.json", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("fallback", KernelPath.Fallback, false)]
    [InlineData("FALLBACK", KernelPath.Fallback, false)]
    [InlineData("default", KernelPath.Default, true)]
    public void The_environment_variable_forces_a_path_without_a_check(string mode, KernelPath path, bool oneDnn)
    {
        var decision = KernelGuard.Decide(mode, Cache, [SameShapeConv("never run", (_, _) => throw new InvalidOperationException())], null, recheck: false);

        Assert.Equal(path, decision.Path);
        Assert.StartsWith("forced by DIFFUSION_KERNELS", decision.How);
        Assert.Null(decision.DefaultCheck);
        Assert.Equal(oneDnn, LibTorchContext.OneDnnEnabled);
    }

    [Fact]
    public void An_unknown_mode_names_the_valid_ones()
    {
        var error = Assert.Throws<KernelCheckException>(() => KernelGuard.Decide("off", Cache, KernelCase.Training, null, recheck: false));

        Assert.Contains("DIFFUSION_KERNELS=off", error.Message);
        Assert.Contains("auto", error.Message);
        Assert.Contains("fallback", error.Message);
    }

    [Fact]
    public void The_fallback_path_computes_the_shipped_kernels_correctly()
    {
        KernelGuard.Decide("fallback", Cache, KernelCase.Training, null, recheck: false);

        var report = KernelSelfCheck.Run();

        Assert.True(report.Passed, report.Failures);
    }

    [Fact]
    public void The_machine_signature_names_the_libraries_and_changes_with_the_kernel_environment()
    {
        var signature = MachineSignature.Current();

        Assert.Contains("v3.", signature.OneDnnVersion);
        Assert.NotEqual("unavailable", signature.AtenCapability);
        Assert.NotEqual(signature.Key(1), signature.Key(2));
        Assert.NotEqual(signature.Key(1), (signature with { Overrides = "DNNL_MAX_CPU_ISA=AVX" }).Key(1));
    }
}
