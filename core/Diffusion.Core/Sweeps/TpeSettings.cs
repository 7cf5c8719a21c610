namespace Diffusion.Core.Sweeps;

/// <summary>Settings of the Tree-structured Parzen Estimator.</summary>
/// <param name="StartupTrials">Trials drawn at random before TPE takes over.</param>
/// <param name="Gamma">The share of finished trials counted as good (0..1).</param>
/// <param name="Candidates">Points drawn from the good density per proposal; the one most likely good rather than bad wins.</param>
public sealed record TpeSettings(int StartupTrials = 5, double Gamma = 0.25, int Candidates = 24);
