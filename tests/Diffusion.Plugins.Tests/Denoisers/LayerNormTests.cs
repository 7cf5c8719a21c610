using Diffusion.Denoisers.DiT;
using Diffusion.Denoisers.Mlp;
using Diffusion.Denoisers.Transformer1D;

namespace Diffusion.Plugins.Tests.Denoisers;

public class LayerNormTests
{
    public static TheoryData<string> Networks_with_layer_norms => ["mlp", "dit", "transformer1d"];

    [Theory]
    [MemberData(nameof(Networks_with_layer_norms))]
    public void Affine_layer_norms_start_as_identity(string name)
    {
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised; LayerNorm's must not depend on luck either.
        for (int i = 0; i < 5; i++) { using var garbage = randn(100_000) * 1e6; }
        using var net = name switch
        {
            "mlp" => new MlpDenoiser(new MlpOptions { HiddenSize = 64 }).Build(new DataSpec("vector", [2])),
            "dit" => new DiTDenoiser(new DiTOptions { HiddenSize = 32, NumHeads = 2, ContextDim = 4 }).Build(new DataSpec("image", [1, 8, 8])),
            _ => new Transformer1DDenoiser(new Transformer1DOptions { HiddenSize = 32, NumHeads = 2, ContextDim = 4 }).Build(new DataSpec("tokens", [4], VocabSize: 5)),
        };
        var norms = net.named_parameters().Where(p => p.name.Contains("norm", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(norms);
        foreach (var (parameterName, parameter) in norms)
            Assert.True(parameter.allclose(parameterName.EndsWith(".weight", StringComparison.Ordinal) ? ones_like(parameter) : zeros_like(parameter), rtol: 0, atol: 0), parameterName);
    }
}
