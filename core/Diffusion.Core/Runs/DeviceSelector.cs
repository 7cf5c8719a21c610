using static TorchSharp.torch;

namespace Diffusion.Core.Runs;

/// <summary>Chooses the device at run time: <c>auto</c> takes CUDA when this build and machine have it, else the CPU.</summary>
public static class DeviceSelector
{
    /// <summary>The device for a pipeline's <c>device:</c> value (auto, cpu or cuda).</summary>
    /// <exception cref="Abstractions.Runs.PluginInputException">cuda was asked for but is not available.</exception>
    public static Device Select(string requested)
    {
        bool cudaAvailable = cuda.is_available();
        return requested switch
        {
            "cpu" => CPU,
            "cuda" when cudaAvailable => CUDA,
            "cuda" => throw new Abstractions.Runs.PluginInputException(
                "device: cuda was requested but CUDA is not available (this build uses the CPU libtorch, or no GPU is visible). " +
                "Use device: auto or cpu, or build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU."),
            _ => cudaAvailable ? CUDA : CPU,
        };
    }
}
