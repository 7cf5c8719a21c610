namespace Diffusion.Compression.Weights;

/// <summary>Finds what the run knows about the network a pass compresses.</summary>
internal static class ModelLookup
{
    /// <summary>The trained model (schedule and data spec) whose network is <paramref name="network"/>.</summary>
    public static TrainedModel For(DenoiserModule network, IRunContext context, string pass) =>
        context.State.Models.Values.FirstOrDefault(m => ReferenceEquals(m.Network, network))
        ?? throw new PluginInputException($"{pass}: the network is not a trained model of this run; run it in a compress stage after a train stage");
}
