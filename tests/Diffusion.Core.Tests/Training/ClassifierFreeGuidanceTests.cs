using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;
using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Training;

public class ClassifierFreeGuidanceTests
{
    [Fact]
    public void Guidance_extrapolates_from_the_unconditional_output_past_the_conditional_one()
    {
        using var scope = NewDisposeScope();
        var conditional = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4);
        var unconditional = tensor(new float[] { 0, 1, 1, 2 }).reshape(1, 4);

        var guided = new ClassifierFreeGuidance(scale: 2, rescale: 0, numClasses: 0).Combine(conditional, unconditional);

        // (1 + w)·cond − w·uncond
        Assert.Equal([3f, 4f, 7f, 8f], guided.data<float>().ToArray());
        Assert.True(new ClassifierFreeGuidance(0, 0, 0).Combine(conditional, unconditional).eq(conditional).all().item<bool>(), "w = 0 is the conditional output");
    }

    [Fact]
    public void Full_rescale_gives_the_guided_direction_with_the_conditional_spread_per_item()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var conditional = randn([3, 2, 4, 4], generator: generator);
        var unconditional = randn([3, 2, 4, 4], generator: generator);
        var plain = new ClassifierFreeGuidance(4, 0, 0).Combine(conditional, unconditional);

        var rescaled = new ClassifierFreeGuidance(4, 1, 0).Combine(conditional, unconditional);
        var half = new ClassifierFreeGuidance(4, 0.5, 0).Combine(conditional, unconditional);

        long[] dims = [1, 2, 3];
        Assert.True(rescaled.std(dims).allclose(conditional.std(dims), rtol: 1e-5, atol: 1e-6), "each item keeps the conditional output's std");
        var ratio = rescaled / plain;
        Assert.True(ratio.std(dims).max().item<float>() < 1e-5, "rescaling multiplies each item by one factor");
        Assert.True(half.allclose((rescaled + plain) / 2, rtol: 1e-5, atol: 1e-6), "phi blends the two");
    }

    [Fact]
    public void The_unconditional_call_removes_every_condition_the_way_dropout_does_in_training()
    {
        using var scope = NewDisposeScope();
        var conditioning = new Conditioning(ClassLabels: tensor(new long[] { 1, 2 }), Concat: ones(2, 1, 2, 2))
        {
            Tokens = tensor(new long[,] { { 4, 5 }, { 6, 0 } }),
            Image = ones(2, 1, 2, 2),
        };

        var none = new ClassifierFreeGuidance(3, 0, numClasses: 7).Unconditional(conditioning, 2, CPU);

        Assert.Equal([7L, 7L], none.ClassLabels!.data<long>().ToArray());
        Assert.Equal(0L, none.Tokens!.abs().sum().item<long>());
        Assert.Equal(0f, none.Image!.abs().sum().item<float>());
        Assert.Same(conditioning.Concat, none.Concat); // the data being transformed (a low-resolution image) stays
    }
}
