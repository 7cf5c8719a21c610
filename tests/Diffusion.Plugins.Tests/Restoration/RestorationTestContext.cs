using Diffusion.Denoisers.UNet2D;
using Diffusion.Modalities.Image;

namespace Diffusion.Plugins.Tests.Restoration;

/// <summary>
/// A run context for restoration stages: 12x12 shapes as data, an untrained small UNet as the "trained" model, a
/// sampler, recorded metrics and a temporary artifact folder.
/// </summary>
internal sealed class RestorationTestContext : FakeRunContext
{
    public RestorationTestContext(ISampler sampler, int extraInChannels = 0) : base(seed: 77)
    {
        StageName = "restore";
        Components["data"] = new ImageModality(new ImageModalityOptions { ImageSize = 12, Count = 16 });
        Components["sampler"] = sampler;
        manual_seed(3);
        var network = new UNet2DDenoiser(new UNet2DOptions
        {
            BaseChannels = 8, Groups = 4, NumHeads = 2, ChannelMults = [1, 2], AttentionResolutions = [], ExtraInChannels = extraInChannels,
        }).Build(new DataSpec("image", [1, 12, 12]));
        network.eval();
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 100, 1e-4, 0.02, PredictionType.Epsilon);
        State.SetModel("model", new TrainedModel(network, schedule, new DataSpec("image", [1, 12, 12])));
    }

    public Tensor Samples => State.Samples!.Values;
}
