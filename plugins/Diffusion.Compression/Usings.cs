// The namespaces most files of this project use, imported once for all of them.
global using System.ComponentModel;
global using System.ComponentModel.DataAnnotations;
global using Diffusion.Abstractions.Checkpoints;
global using Diffusion.Abstractions.Compression;
global using Diffusion.Abstractions.Denoisers;
global using Diffusion.Abstractions.Options;
global using Diffusion.Abstractions.Plugins;
global using Diffusion.Abstractions.Runs;
global using Diffusion.Compression.Weights;
global using Microsoft.Extensions.Logging;
global using static TorchSharp.torch;
