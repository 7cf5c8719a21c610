// The namespaces most files of this project use, imported once for all of them (as tests/Directory.Build.props imports Xunit).
global using Diffusion.Abstractions.Denoisers;
global using Diffusion.Abstractions.Modalities;
global using Diffusion.Abstractions.Options;
global using Diffusion.Abstractions.Plugins;
global using Diffusion.Abstractions.Runs;
global using Diffusion.Abstractions.Samplers;
global using Diffusion.Abstractions.Stages;
global using Diffusion.Core.Runs;
global using Diffusion.Plugins.Tests.Compression;
global using Diffusion.Plugins.Tests.Fakes;
global using Diffusion.Tracking;
global using TorchSharp;
global using static TorchSharp.torch;

namespace Diffusion.Plugins.Tests;
