// The namespaces most files of this project use, imported once for all of them.
global using System.ComponentModel;
global using System.ComponentModel.DataAnnotations;
global using Diffusion.Abstractions.Plugins;
global using Diffusion.Abstractions.PostProcessing;
global using Diffusion.Abstractions.Runs;
global using static TorchSharp.torch;
