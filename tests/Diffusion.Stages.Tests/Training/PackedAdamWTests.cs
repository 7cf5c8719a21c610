using Diffusion.Stages.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PackedAdamW = Diffusion.Stages.Training.AdamW;

namespace Diffusion.Stages.Tests.Training;

/// <summary>
/// The train stage's AdamW, which updates the parameters packed into one buffer, computes TorchSharp's AdamW number for
/// number, keeps the parameters usable by their modules and autograd, and shares TorchSharp's state file (issue 24).
/// </summary>
public class PackedAdamWTests
{
    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    /// <summary>Parameters of assorted shapes (odd sizes, so packing moves tensors across vector boundaries), from a fixed seed.</summary>
    private static Parameter[] Parameters()
    {
        using var generator = new Generator(7);
        long[][] shapes = [[16, 8, 3, 3], [16], [7, 5], [1], [301], [3, 3]];
        return shapes.Select(s => new Parameter(randn(s, generator: generator))).ToArray();
    }

    /// <summary>
    /// A loss through autograd, so the backward pass writes the gradients (into the packed buffer once packed). The last
    /// parameter is left out of the loss before step <paramref name="lateFrom"/>: it has no gradient at the first step.
    /// </summary>
    private static void Backward(Parameter[] parameters, int step, int lateFrom)
    {
        using var scope = NewDisposeScope();
        var loss = zeros([]);
        for (int i = 0; i < parameters.Length; i++)
        {
            if (i == parameters.Length - 1 && step < lateFrom) continue;
            loss = loss + (parameters[i] * (0.3 + 0.1 * i + 0.05 * step)).sin().square().sum();
        }
        loss.backward();
    }

    /// <summary>One plain training step (every parameter in the loss) with each optimizer on its own parameters.</summary>
    private static void StepBoth((optim.Optimizer Optimizer, Parameter[] Parameters) a, (optim.Optimizer Optimizer, Parameter[] Parameters) b, int step)
    {
        foreach (var (optimizer, parameters) in new[] { a, b })
        {
            optimizer.zero_grad();
            Backward(parameters, step, 0);
            optimizer.step();
        }
    }

    [Theory]
    [InlineData(0.0, 0)]   // every parameter has a gradient at the first step: all packed
    [InlineData(0.01, 3)]  // weight decay, and one parameter without a gradient until step 3: it stays per tensor
    public void The_packed_update_is_torchsharps_adamw_bit_for_bit(double weightDecay, int lateFrom)
    {
        var ours = Parameters();
        var reference = Parameters();
        using var packed = new PackedAdamW(ours, 0.05, weightDecay);
        using var plain = optim.AdamW(reference, 0.05, weight_decay: weightDecay);

        for (int step = 0; step < 6; step++)
        {
            using var scope = NewDisposeScope();
            double lr = 0.05 * (1 - step / 10.0); // the train stage sets the rate every step
            foreach (var group in packed.ParamGroups) group.LearningRate = lr;
            foreach (var group in plain.ParamGroups) group.LearningRate = lr;
            packed.zero_grad();
            plain.zero_grad();
            Backward(ours, step, lateFrom);
            Backward(reference, step, lateFrom);

            // Clipping as the train stage does it: the norm over the gradients in parameter order, the scaling over the buffers.
            var norm = DeviceClip.TotalNorm(packed.Gradients());
            DeviceClip.Clip(packed.GradientBuffers(), norm, 1.0);
            nn.utils.clip_grad_norm_(reference, 1.0);
            packed.step();
            plain.step();

            for (int i = 0; i < ours.Length; i++)
                Assert.True(Same(ours[i], reference[i]), $"parameter {i} differs after step {step}");
        }
        Assert.NotNull(packed.Packed);
        Assert.Equal(lateFrom > 0 ? ours.Length - 1 : ours.Length, packed.Packed!.Count);
        Assert.Equal(ours.Length, packed.Gradients().Length);
    }

    [Fact]
    public void Packed_parameters_are_views_of_one_buffer_and_a_module_still_trains_through_them()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var layer = nn.Linear(4, 3);
        var parameters = layer.parameters().ToArray();
        using var optimizer = new PackedAdamW(parameters, 0.1, 0.0);
        var x = randn(8, 4);
        optimizer.zero_grad();
        layer.forward(x).square().sum().backward();
        optimizer.step();

        var packed = optimizer.Packed!;
        Assert.Equal(2, packed.Count);
        // The module's own weight tensor now reads its slice of the buffer: writing the buffer changes the layer.
        using (no_grad()) packed.Values.fill_(0.25f);
        Assert.Equal(0.25f, layer.weight!.mean().item<float>());
        Assert.Equal(0.25f, layer.bias!.mean().item<float>());
        // And the backward pass adds into the packed gradient buffer, in place.
        optimizer.zero_grad();
        layer.forward(x).sum().backward();
        Assert.True(Same(packed.GradientViews[1], layer.bias!.grad!));
        Assert.Equal(8f, packed.GradientViews[1][0].item<float>());
        Assert.True(packed.Gradients!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void The_state_file_is_torchsharps_both_ways()
    {
        using var temp = new TempFolder();
        string packedFile = Path.Combine(temp.Path, "packed.bin"), plainFile = Path.Combine(temp.Path, "plain.bin");
        var ours = Parameters();
        var reference = Parameters();
        using (var packed = new PackedAdamW(ours, 0.05, 0.01))
        using (var plain = optim.AdamW(reference, 0.05, weight_decay: 0.01))
        {
            for (int step = 0; step < 3; step++) StepBoth((packed, ours), (plain, reference), step);
            packed.save_state_dict(packedFile);
            plain.save_state_dict(plainFile);
        }
        Assert.Equal(File.ReadAllBytes(plainFile), File.ReadAllBytes(packedFile));

        // Resume crosswise and go on: a packed optimizer from TorchSharp's file, TorchSharp's from the packed one's.
        var fromPlain = ours.Select(p => new Parameter(p.detach().clone())).ToArray();
        var fromPacked = reference.Select(p => new Parameter(p.detach().clone())).ToArray();
        using var resumedPacked = new PackedAdamW(fromPlain, 0.05, 0.01);
        using var resumedPlain = optim.AdamW(fromPacked, 0.05, weight_decay: 0.01);
        resumedPacked.load_state_dict(plainFile);
        resumedPlain.load_state_dict(packedFile);
        for (int step = 3; step < 5; step++) StepBoth((resumedPacked, fromPlain), (resumedPlain, fromPacked), step);
        for (int i = 0; i < fromPlain.Length; i++)
            Assert.True(Same(fromPlain[i], fromPacked[i]), $"parameter {i} differs after resuming crosswise");
    }

    [Fact]
    public void The_weight_average_packs_alike_and_averages_as_per_tensor()
    {
        using var scope = NewDisposeScope();
        using var source = new Distillation.GaussianModels.AffineDenoiser();
        using (var generator = new Generator(9))
        using (no_grad())
            foreach (var p in source.parameters()) p.add_(randn(p.shape, generator: generator) * 0.1);
        using var packedCopy = new Distillation.GaussianModels.AffineDenoiser();
        using var plainCopy = new Distillation.GaussianModels.AffineDenoiser();
        using var packedAverage = new WeightAverage(source, packedCopy, 0.9);
        using var plainAverage = new WeightAverage(source, plainCopy, 0.9);
        // The optimizer gets its own enumeration of the parameters, as in the train stage.
        using var optimizer = new PackedAdamW(source.parameters(), 0.05, 0.0);
        var parameters = source.parameters().ToArray();

        for (int step = 0; step < 4; step++)
        {
            optimizer.zero_grad();
            Backward(parameters, step, 0);
            optimizer.step();
            packedAverage.Update(step, optimizer.Packed);
            plainAverage.Update(step);
            foreach (var ((name, packed), (_, plain)) in packedCopy.named_parameters().Zip(plainCopy.named_parameters()))
                Assert.True(Same(packed, plain), $"average of {name} differs after step {step}");
        }
        Assert.True(packedAverage.IsPacked);
        Assert.False(plainAverage.IsPacked);
    }
}
