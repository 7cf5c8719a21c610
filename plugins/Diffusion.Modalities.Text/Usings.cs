// The namespaces most files of this project use, imported once for all of them.
global using Diffusion.Abstractions.Options;
global using Diffusion.Abstractions.Plugins;
global using Diffusion.Abstractions.Runs;
global using static TorchSharp.torch;
