namespace Diffusion.Stages.Lora;

/// <summary>The shape of a new adapter.</summary>
/// <param name="Rank">r, the inner dimension of each update.</param>
/// <param name="Alpha">The update is scaled by alpha / r (so a change of rank does not change the update's size at init).</param>
/// <param name="Dropout">Dropout on the adapter's input while training.</param>
/// <param name="Targets">Layer patterns (see <see cref="LoraTargets"/>).</param>
internal sealed record LoraSettings(int Rank, double Alpha, double Dropout, IReadOnlyList<string> Targets);
