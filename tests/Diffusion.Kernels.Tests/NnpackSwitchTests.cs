namespace Diffusion.Kernels.Tests;

/// <summary>
/// Where NNPACK cannot run (x86-64 without AVX2 and FMA), libtorch printed "Could not initialize NNPACK!" into every run;
/// the host switches it off there first (issue 25).
/// </summary>
public sealed class NnpackSwitchTests
{
    [Theory]
    [InlineData("fpu sse sse2 ssse3 sse4_1 sse4_2 avx", false)] // Sandy Bridge class: no AVX2
    [InlineData("fpu sse sse2 avx avx2", false)] // AVX2 without FMA
    [InlineData("fpu sse sse2 avx fma avx2 avx512f", true)]
    [InlineData("fp asimd evtstrm aes crc32", true)] // arm64: NNPACK's NEON path
    public void NnpackIsOnlyKeptWhereTheCpuCanRunIt(string flags, bool supported) =>
        Assert.Equal(supported, NnpackSwitch.Supported(flags));

    [Fact]
    public void TheSwitchReachesLibtorch()
    {
        bool? before = LibTorchContext.NnpackEnabled;
        Assert.NotNull(before);
        try
        {
            Assert.True(LibTorchContext.SetNnpackEnabled(false));
            Assert.False(LibTorchContext.NnpackEnabled);
            Assert.True(LibTorchContext.SetNnpackEnabled(true));
            Assert.True(LibTorchContext.NnpackEnabled);
        }
        finally
        {
            LibTorchContext.SetNnpackEnabled(before!.Value);
        }
    }
}
