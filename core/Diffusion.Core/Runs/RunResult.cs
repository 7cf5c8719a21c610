using System.Diagnostics;
using System.Reflection;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Stages;
using Diffusion.Kernels;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Core.Runs;

/// <summary>How a run ended.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="RunFolder">The run's artifact folder.</param>
/// <param name="Status">Completed, failed or killed.</param>
/// <param name="Message">Why it failed or was killed.</param>
public sealed record RunResult(string RunId, string RunFolder, RunStatus Status, string? Message);
