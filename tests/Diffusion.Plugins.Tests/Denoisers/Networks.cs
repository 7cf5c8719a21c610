using System.ComponentModel.DataAnnotations;

namespace Diffusion.Plugins.Tests.Denoisers;

/// <summary>Helpers for denoiser tests.</summary>
internal static class Networks
{
    /// <summary>
    /// Gives every all-zero parameter small random values. Zero-initialised layers (adaLN-Zero gates, output heads)
    /// make a fresh network's output independent of its inputs; tests of conditioning need it to depend on them.
    /// </summary>
    public static void Scramble(nn.Module network, int seed = 7)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in network.parameters())
            if (p.abs().max().item<float>() == 0f) p.copy_(randn(p.shape, generator: generator) * 0.1);
    }

    /// <summary>The sum of |grad| of each named parameter (null when it got no gradient).</summary>
    public static Dictionary<string, float?> GradientSizes(nn.Module network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.abs().sum().item<float>() : (float?)null);

    public static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
