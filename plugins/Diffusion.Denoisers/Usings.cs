// The namespaces most files of this project use, imported once for all of them.
global using Diffusion.Abstractions.Denoisers;
global using Diffusion.Denoisers.Layers;
global using TorchSharp.Modules;
global using static TorchSharp.torch;
