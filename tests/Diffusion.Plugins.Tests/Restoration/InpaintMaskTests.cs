using Diffusion.Modalities.Image.Png;
using Diffusion.Modalities.Image.Restoration;

namespace Diffusion.Plugins.Tests.Restoration;

public class InpaintMaskTests
{
    [Fact]
    public void Box_hides_exactly_its_rectangle()
    {
        using var mask = InpaintMasks.Box(2, 16, 12, 3, 4, 5, 6);

        Assert.Equal(new long[] { 2, 1, 16, 12 }, mask.shape);
        Assert.Equal(2 * (16 * 12 - 5 * 6), mask.sum().item<float>());
        Assert.Equal(0f, mask[1, 0, 3, 4].item<float>());
        Assert.Equal(0f, mask[1, 0, 7, 9].item<float>());
        Assert.Equal(1f, mask[1, 0, 8, 9].item<float>());
        Assert.Equal(1f, mask[1, 0, 7, 10].item<float>());
    }

    [Fact]
    public void The_default_box_is_the_centred_half_size_square()
    {
        Assert.Equal((4, 4, 8, 8), InpaintMasks.CentredBox(16, 16));
        Assert.Equal((3, 3, 7, 7), InpaintMasks.CentredBox(14, 14));
    }

    [Fact]
    public void A_box_outside_the_image_is_a_user_error_that_names_the_limits()
    {
        var error = Assert.Throws<PluginInputException>(() => InpaintMasks.Box(1, 16, 16, 10, 0, 8, 4));

        Assert.Contains("does not fit in 16x16", error.Message);
        Assert.Contains("top + height <= 16", error.Message);
    }

    [Fact]
    public void Half_hides_the_right_half()
    {
        using var mask = InpaintMasks.Half(1, 16, 16);

        Assert.Equal(0.5f, mask.mean().item<float>());
        Assert.Equal(1f, mask[0, 0, .., ..8].min().item<float>());
        Assert.Equal(0f, mask[0, 0, .., 8..].max().item<float>());
    }

    [Fact]
    public void Strokes_are_seeded_per_image_and_cover_a_sane_fraction()
    {
        using var context = new FakeRunContext();
        using var all = Strokes(context, 0, 8);
        using var again = Strokes(context, 0, 8);
        using var third = Strokes(context, 2, 1);

        Assert.True(all.equal(again).all().item<bool>(), "the same seed gives the same masks");
        Assert.True(all[2].equal(third[0]).all().item<bool>(), "image 2's mask does not depend on the batch it is drawn in");
        Assert.False(all[0].equal(all[1]).all().item<bool>(), "images get different strokes");
        var missing = (1 - all).mean([1, 2, 3]).data<float>().ToArray();
        Assert.All(missing, m => Assert.InRange(m, 0.03, 0.8));
        Assert.True(((all == 0) | (all == 1)).all().item<bool>());
    }

    [Fact]
    public void A_png_mask_marks_white_pixels_as_missing()
    {
        using var folder = new TempFolder();
        var pixels = new byte[12 * 12];
        for (int y = 2; y < 5; y++) for (int x = 6; x < 10; x++) pixels[y * 12 + x] = 255;
        string path = WritePng(folder, "mask.png", 12, 12, pixels);

        using var mask = InpaintMasks.FromFile(path, 3, 12, 12);

        Assert.Equal(new long[] { 3, 1, 12, 12 }, mask.shape);
        Assert.Equal(3 * (144 - 12), mask.sum().item<float>());
        Assert.Equal(0f, mask[2, 0, 2, 6].item<float>());
        Assert.Equal(1f, mask[2, 0, 5, 6].item<float>());
    }

    [Fact]
    public void A_missing_mask_file_is_a_user_error_naming_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-mask-" + Guid.NewGuid().ToString("N") + ".png");

        var error = Assert.Throws<PluginInputException>(() => InpaintMasks.FromFile(path, 1, 16, 16));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void A_mask_of_the_wrong_size_is_a_user_error_giving_both_sizes()
    {
        using var folder = new TempFolder();
        string path = WritePng(folder, "small.png", 8, 8, new byte[64]);

        var error = Assert.Throws<PluginInputException>(() => InpaintMasks.FromFile(path, 1, 16, 16));

        Assert.Contains("8x8", error.Message);
        Assert.Contains("16x16", error.Message);
    }

    [Fact]
    public void A_mask_file_that_is_not_a_png_is_a_user_error()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "mask.png");
        File.WriteAllText(path, "not an image");

        var error = Assert.Throws<PluginInputException>(() => InpaintMasks.FromFile(path, 1, 16, 16));

        Assert.Contains($"mask_file {path}: not a PNG, JPEG or WebP image", error.Message);
    }

    private static Tensor Strokes(IRunContext context, long first, int count)
    {
        using var generators = context.GeneratorsFor(first, count, "inpaint-mask");
        return InpaintMasks.Strokes(generators, 16, 16, 3);
    }

    internal static string WritePng(TempFolder folder, string name, int width, int height, byte[] grey)
    {
        string path = Path.Combine(folder.Path, name);
        using var stream = File.Create(path);
        ImageCodec.WritePng(stream, width, height, 1, grey);
        return path;
    }
}
