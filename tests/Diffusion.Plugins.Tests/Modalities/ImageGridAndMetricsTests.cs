using Diffusion.Modalities.Image;
using Diffusion.Modalities.Image.Png;

namespace Diffusion.Plugins.Tests.Modalities;

public class ImageGridAndMetricsTests
{
    [Fact]
    public void Samples_are_written_as_a_grey_padded_grid_artifact()
    {
        using var context = new FakeRunContext();
        var modality = new ImageModality(new ImageModalityOptions());
        // 5 images of 3x3: -1 (black), 1 (white), 0 (mid grey), and values beyond the range, which are clamped.
        var samples = stack([full(1, 3, 3, -1f), full(1, 3, 3, 1f), full(1, 3, 3, 0f), full(1, 3, 3, 7f), full(1, 3, 3, -7f)]);

        modality.WriteSamples(samples, "samples-final", context);

        Assert.Equal([("samples-final.png", "image-grid")], context.Artifacts.Recorded);
        var png = ImageCodec.Read(Path.Combine(context.Artifacts.Root, "samples-final.png"));
        // 5 images -> 3 columns x 2 rows; each 3x3 image is enlarged 22 times (to 66 px, at least 64) with 1 px padding.
        const int cell = 66, step = cell + 1;
        Assert.Equal(22, ImageGrid.Scale(3, 3));
        Assert.Equal((3 * step + 1, 2 * step + 1, 1), (png.Width, png.Height, png.Channels));
        byte At(int x, int y) => png.Pixels[y * png.Width + x];
        // The middle and the corners of image i (column i % 3, row i / 3).
        byte In(int i, int dx, int dy) => At(1 + (i % 3) * step + dx, 1 + (i / 3) * step + dy);
        Assert.Equal(ImageGrid.PaddingGrey, At(0, 0));
        Assert.Equal(ImageGrid.PaddingGrey, At(step, 30));
        foreach (var (dx, dy) in new[] { (0, 0), (cell / 2, cell / 2), (cell - 1, cell - 1) })
        {
            Assert.Equal(0, In(0, dx, dy));     // image 0, black
            Assert.Equal(255, In(1, dx, dy));   // image 1, white
            Assert.Equal(128, In(2, dx, dy));   // image 2, mid grey
            Assert.Equal(255, In(3, dx, dy));   // image 3, clamped to white
            Assert.Equal(0, In(4, dx, dy));     // image 4, clamped to black
            Assert.Equal(ImageGrid.PaddingGrey, In(5, dx, dy)); // the empty sixth cell
        }
    }

    [Fact]
    public void Fd_pixels_is_zero_for_identical_sets_and_grows_with_a_shift()
    {
        using var scope = NewDisposeScope();
        using var context = new FakeRunContext();
        var modality = new ImageModality(new ImageModalityOptions { Count = 400 });
        using var reference = modality.Load(DataSplit.Train);

        var same = modality.Evaluate(reference.Items, reference, context);
        var shifted = modality.Evaluate((reference.Items + 0.5f).clamp(-1, 1), reference, context);
        var noise = modality.Evaluate(rand(400, 1, 16, 16) * 2 - 1, reference, context);

        Assert.InRange(same[ImageMetrics.FdPixels], 0, 1e-6);
        Assert.True(shifted[ImageMetrics.FdPixels] > 1.0, $"shifted: {shifted[ImageMetrics.FdPixels]}");
        Assert.True(noise[ImageMetrics.FdPixels] > shifted[ImageMetrics.FdPixelsFloor], "noise scores worse than real data");
        Assert.InRange(same[ImageMetrics.FdPixelsFloor], 1e-6, shifted[ImageMetrics.FdPixels]);
        Assert.Equal(reference.Items.mean().item<float>(), same[ImageMetrics.PixelMean], 1e-5);
        Assert.Equal(reference.Items.std().item<float>(), same[ImageMetrics.PixelStd], 1e-4);
    }

    [Fact]
    public void Fd_matches_the_closed_form_for_gaussians_with_diagonal_covariances()
    {
        using var scope = NewDisposeScope();
        // For diagonal covariances FD = |mu1 - mu2|^2 + sum (s1 - s2)^2. Whitening the draws first makes the sample
        // means and covariances exactly the intended ones, so the result is exact too: 3·1² + (1−2)² + 0 + (0.5−1.5)².
        var a = Standardised(randn(2000, 3)) * tensor(new[] { 1.0, 2.0, 0.5 }, dtype: ScalarType.Float64);
        var b = Standardised(randn(2000, 3)) * tensor(new[] { 2.0, 2.0, 1.5 }, dtype: ScalarType.Float64) + 1.0;
        double fd = Diffusion.Modalities.Image.Metrics.FrechetDistance.Between(a, b);

        Assert.Equal(5.0, fd, 1e-6);
    }

    private static Tensor Standardised(Tensor x)
    {
        var centred = (x - x.mean([0])).to_type(ScalarType.Float64);
        var covariance = centred.t().matmul(centred) / (x.shape[0] - 1);
        var (values, vectors) = linalg.eigh(covariance);
        var whitening = vectors.matmul(diag(values.rsqrt())).matmul(vectors.t());
        return centred.matmul(whitening);
    }
}
