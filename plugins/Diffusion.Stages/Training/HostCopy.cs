using TorchSharp;

namespace Diffusion.Stages.Training;

/// <summary>
/// Moves what a step draws on the host (items, timesteps, noise: drawn on the CPU so every device sees the same numbers)
/// to the training device without making the host wait: to a CUDA device through pinned memory with a non-blocking copy,
/// where libtorch's ordinary copy from pageable memory synchronises with the device's stream first. On the CPU nothing
/// is copied.
/// </summary>
internal static class HostCopy
{
    /// <summary><paramref name="tensor"/> on <paramref name="device"/> (itself when it is there already).</summary>
    public static Tensor ToDevice(Tensor tensor, Device device) =>
        device.type == DeviceType.CUDA && tensor.device_type == DeviceType.CPU
            ? tensor.pin_memory().to(device, non_blocking: true)
            : tensor.to(device);
}
