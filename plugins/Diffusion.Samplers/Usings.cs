// The namespaces most files of this project use, imported once for all of them.
global using System.ComponentModel;
global using System.ComponentModel.DataAnnotations;
global using Diffusion.Abstractions.Plugins;
global using Diffusion.Abstractions.Samplers;
global using Diffusion.Samplers.Sampling;
global using static TorchSharp.torch;
