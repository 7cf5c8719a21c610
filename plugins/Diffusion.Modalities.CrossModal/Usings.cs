// The namespaces most files of this project use, imported once for all of them.
global using System.ComponentModel;
global using System.ComponentModel.DataAnnotations;
global using Diffusion.Abstractions.Modalities;
global using Diffusion.Abstractions.Options;
global using Diffusion.Abstractions.Runs;
global using Diffusion.Modalities.CrossModal.Captions;
global using Diffusion.Modalities.Image;
global using Diffusion.Modalities.Text;
global using static TorchSharp.torch;
