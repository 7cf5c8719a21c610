using System.ComponentModel.DataAnnotations;
using Diffusion.Modalities.Image.Restoration;

namespace Diffusion.Plugins.Tests.Restoration;

public class RestorationOptionsTests
{
    private static List<string> Errors(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(4, true)]
    [InlineData(3, false)]
    [InlineData(8, false)]
    public void Superres_scale_is_2_or_4(int scale, bool valid)
    {
        var errors = Errors(new SuperResolutionStageOptions { Model = "m", Data = "d", Sampler = "s", Scale = scale });

        if (valid) Assert.Empty(errors);
        else Assert.Contains($"scale must be 2 or 4 (got {scale})", Assert.Single(errors));
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(-0.1, false)]
    [InlineData(1.5, false)]
    [InlineData(1.0, true)]
    [InlineData(0.01, true)]
    public void Sdedit_strength_is_in_the_half_open_unit_interval(double strength, bool valid)
    {
        var errors = Errors(new SdeditStageOptions { Model = "m", Data = "d", Sampler = "s", Strength = strength });

        Assert.Equal(valid, errors.Count == 0);
    }

    [Fact]
    public void Denoise_needs_a_noise_std()
    {
        var errors = Errors(new DenoiseStageOptions { Model = "m", Data = "d", Sampler = "s", NoiseStd = 0 });

        Assert.Contains("noise_std > 0", Assert.Single(errors));
        Assert.Empty(Errors(new DenoiseStageOptions { Model = "m", Data = "d", Sampler = "s" }));
    }

    [Fact]
    public void A_file_mask_needs_its_file_and_a_file_needs_the_file_mask()
    {
        Assert.Contains("mask_file", Assert.Single(Errors(new InpaintStageOptions { Model = "m", Data = "d", Mask = MaskKind.File })));
        Assert.Contains("only read with mask: file", Assert.Single(Errors(new InpaintStageOptions { Model = "m", Data = "d", MaskFile = "x.png" })));
        // A missing file is caught when the pipeline is validated, before any training.
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-mask-{Guid.NewGuid():N}.png");
        var error = Assert.Single(Errors(new InpaintStageOptions { Model = "m", Data = "d", Mask = MaskKind.File, MaskFile = missing }));
        Assert.Contains(missing, error);
        Assert.Contains("does not exist", error);
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3 })]
    [InlineData(new[] { 0, 0, 0, 4 })]
    [InlineData(new[] { -1, 0, 4, 4 })]
    public void A_box_is_four_sensible_numbers(int[] box)
    {
        Assert.Contains("box", Assert.Single(Errors(new InpaintStageOptions { Model = "m", Data = "d", Box = box })));
    }
}
