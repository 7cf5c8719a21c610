using System.Diagnostics;
using static TorchSharp.torch;

namespace Diffusion.Kernels;

/// <summary>
/// Checks the CPU kernels training uses, in this process and at its thread count: each kernel runs forward and backward on
/// the same values in float32 and float64 (float64 takes ATen's reference paths, float32 the fast ones such as oneDNN),
/// and its output and every leaf gradient must agree to <see cref="Tolerance"/> relative to the float64 maximum. A wrong
/// or non-finite float32 kernel (issue 15: oneDNN convolution gradients on some AMD EPYC CPUs) fails it.
/// </summary>
public static class KernelSelfCheck
{
    /// <summary>Largest accepted error relative to the float64 maximum (float32 rounding gives 1e-7 to 2e-5 on the shipped cases, on either path; a wrong kernel is off by 1e-2 or more).</summary>
    public const double Tolerance = 1e-3;

    /// <summary>How often each kernel runs: a kernel that is wrong only now and then (a race) is caught more often.</summary>
    public const int Repeats = 2;

    /// <summary>Runs <paramref name="cases"/> (default: <see cref="KernelCase.Training"/>) on the CPU.</summary>
    public static KernelCheckReport Run(IReadOnlyList<KernelCase>? cases = null)
    {
        cases ??= KernelCase.Training;
        var clock = Stopwatch.StartNew();
        var results = new List<KernelResult>();
        using var enableGrad = enable_grad();
        for (int i = 0; i < cases.Count; i++)
        {
            KernelResult? worst = null;
            for (int repeat = 0; repeat < Repeats; repeat++)
            {
                var result = Check(cases[i], seed: 1 + i);
                if (worst is null || !result.Passed || Score(result) > Score(worst)) worst = result;
                if (!result.Passed) break;
            }
            results.Add(worst!);
        }
        return new KernelCheckReport(results, clock.Elapsed.TotalSeconds);
    }

    private static double Score(KernelResult r) => Math.Max(r.OutputError, r.GradientError);

    private static KernelResult Check(KernelCase kernel, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed, CPU);
        var values = kernel.Leaves.Select(leaf => randn(leaf.Shape, ScalarType.Float64, generator: generator) * leaf.Scale).ToArray();

        var (out64, grads64) = Evaluate(kernel, values, ScalarType.Float64, generator, seed);
        var (out32, grads32) = Evaluate(kernel, values, ScalarType.Float32, generator, seed);

        double outputError = Error(out32, out64);
        double gradientError = 0;
        string worstGradient = kernel.Leaves[0].Name;
        for (int j = 0; j < grads64.Length; j++)
        {
            double error = Error(grads32[j], grads64[j]);
            if (!(double.IsNaN(error) || error > gradientError)) continue;
            gradientError = error;
            worstGradient = kernel.Leaves[j].Name;
            if (double.IsNaN(error)) break; // non-finite: nothing is worse
        }
        bool passed = outputError <= Tolerance && gradientError <= Tolerance; // NaN compares false: fails
        return new KernelResult(kernel.Name, outputError, gradientError, worstGradient, passed);
    }

    /// <summary>The kernel's output and leaf gradients in <paramref name="dtype"/>, returned as float64 for comparison.</summary>
    private static (Tensor Output, Tensor[] Gradients) Evaluate(KernelCase kernel, Tensor[] values, ScalarType dtype, Generator generator, int seed)
    {
        var leaves = values.Select(v => v.to_type(dtype).detach().requires_grad_(true)).ToArray();
        var output = kernel.Compute(leaves);
        generator.manual_seed(seed * 7919L); // the same upstream gradient in both precisions
        var upstream = randn(output.shape, ScalarType.Float64, generator: generator).to_type(dtype);
        (output * upstream).sum().backward();
        return (output.detach().to_type(ScalarType.Float64),
            leaves.Select(l => (l.grad ?? zeros_like(l)).to_type(ScalarType.Float64)).ToArray());
    }

    /// <summary>max |a − b| / max |b|, NaN when <paramref name="a"/> has a non-finite value.</summary>
    private static double Error(Tensor a, Tensor b)
    {
        if (!a.isfinite().all().item<bool>()) return double.NaN;
        double scale = b.abs().max().item<double>();
        return (a - b).abs().max().item<double>() / Math.Max(scale, 1e-30);
    }
}
