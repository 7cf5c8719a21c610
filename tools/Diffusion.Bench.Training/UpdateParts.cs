using System.Diagnostics;
using Diffusion.Stages.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Bench.Training;

/// <summary>
/// The parameter update's parts alone, on the pipeline model's parameters with random gradients, at one thread, each
/// two ways: per tensor (TorchSharp's AdamW, libtorch's <c>clip_grad_norm_</c>, a per-tensor weight average: what a
/// hand-written TorchSharp loop does) and packed (the train stage's AdamW, clipping and weight average over one buffer).
/// Mean milliseconds over <c>--steps</c> calls after 20 warm-up calls; the PyTorch side is <c>tools/bench-pytorch/update.py</c>.
/// </summary>
internal static class UpdateParts
{
    public static void Run(Diffusion.Core.Pipelines.PipelineSpec spec, int iterations)
    {
        torch.set_num_threads(1);
        using var hand = new HandLoop(spec);
        var parameters = hand.Network.parameters().ToArray();
        foreach (var p in parameters) p.grad = randn(p.shape);
        var average = parameters.Select(p => p.detach().clone()).ToArray();
        using var optimizer = optim.AdamW(parameters, 1e-3, weight_decay: 0.0);

        var packedParameters = parameters.Select(p => new Parameter(p.detach().clone())).ToArray();
        foreach (var (p, source) in packedParameters.Zip(parameters)) p.grad = source.grad!.clone();
        using var packed = new Stages.Training.AdamW(packedParameters, 1e-3, 0.0);
        packed.step(); // packs the parameters, their gradients and moments
        using var packedAverage = packed.Packed!.Mirror(packedParameters.Select(p => p.detach().clone()).ToArray());

        double Bench(Action f)
        {
            for (int i = 0; i < 20; i++) { using var s = NewDisposeScope(); f(); }
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++) { using var s = NewDisposeScope(); f(); }
            return clock.Elapsed.TotalMilliseconds / iterations;
        }
        Console.WriteLine($"parameter tensors {parameters.Length}, elements {parameters.Sum(p => p.numel())}");
        Console.WriteLine($"adamw step ms {Bench(() => optimizer.step()):0.000}");
        Console.WriteLine($"adamw step ms, packed {Bench(() => packed.step()):0.000}");
        Console.WriteLine($"clip ms {Bench(() => nn.utils.clip_grad_norm_(parameters, 1.0)):0.000}");
        Console.WriteLine($"clip ms, packed {Bench(() => DeviceClip.Clip(packed.GradientBuffers(), DeviceClip.TotalNorm(packed.Gradients()), 1.0)):0.000}");
        Console.WriteLine($"weight average ms {Bench(() => { using var g = no_grad(); foreach (var (a, p) in average.Zip(parameters)) a.mul_(0.99).add_(p, alpha: 0.01); }):0.000}");
        Console.WriteLine($"weight average ms, packed {Bench(() => { using var g = no_grad(); packedAverage.Values.mul_(0.99).add_(packed.Packed!.Values, alpha: 0.01); }):0.000}");
        // zero_grad keeps the gradient tensors (zeroed, not dropped) in both, as TorchSharp's does.
        Console.WriteLine($"zero_grad ms {Bench(optimizer.zero_grad):0.000}");
        Console.WriteLine($"zero_grad ms, packed {Bench(packed.zero_grad):0.000}");
    }
}
