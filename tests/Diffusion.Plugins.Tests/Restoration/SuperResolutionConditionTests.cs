using Diffusion.Denoisers.UNet2D;
using Diffusion.Modalities.Image.Restoration;

namespace Diffusion.Plugins.Tests.Restoration;

public class SuperResolutionConditionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void The_condition_has_the_image_shape_and_the_low_resolution_is_the_block_mean(int scale)
    {
        using var scope = NewDisposeScope();
        var images = rand(3, 1, 16, 16) * 2 - 1;

        var condition = Degradations.LowResolutionCondition(images, scale, Upsampling.Bicubic);
        var low = Degradations.Downsample(images, scale);

        Assert.Equal(images.shape, condition.shape);
        Assert.Equal(new long[] { 3, 1, 16 / scale, 16 / scale }, low.shape);
        Assert.Equal(images[1, 0, ..scale, scale..(2 * scale)].mean().item<float>(), low[1, 0, 0, 1].item<float>(), 5);
    }

    [Fact]
    public void Bilinear_upsampling_uses_half_pixel_centres()
    {
        using var scope = NewDisposeScope();
        // Columns of 2x2 blocks a, b: x2 gives a, 3a/4 + b/4, a/4 + 3b/4, b along each row. The train stage makes the same.
        var images = tensor(new float[] { -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1 }).reshape(1, 1, 4, 4);

        var condition = Degradations.LowResolutionCondition(images, 2, Upsampling.Bilinear);

        Assert.Equal(new float[] { -1, -0.5f, 0.5f, 1 }, condition[0, 0, 1].data<float>().ToArray());
    }

    [Fact]
    public void A_unet_with_extra_input_channels_takes_the_condition()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(new UNet2DOptions { BaseChannels = 8, Groups = 4, NumHeads = 2, AttentionResolutions = [], ExtraInChannels = 1 })
            .Build(new DataSpec("image", [1, 16, 16]));
        var x = randn(2, 1, 16, 16);
        var condition = Degradations.LowResolutionCondition(rand(2, 1, 16, 16), 4, Upsampling.Bicubic);

        var output = net.forward(x, tensor(new[] { 3f, 40f }), new Conditioning(Concat: condition));
        var other = net.forward(x, tensor(new[] { 3f, 40f }), new Conditioning(Concat: -condition));

        Assert.Equal(x.shape, output.shape);
        Assert.False(output.allclose(other), "the condition changes the output");
    }
}
