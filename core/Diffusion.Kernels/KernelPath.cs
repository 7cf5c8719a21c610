namespace Diffusion.Kernels;

/// <summary>Which CPU kernels libtorch uses for training and sampling.</summary>
public enum KernelPath
{
    /// <summary>libtorch's own choice: oneDNN for float32 convolutions (the fast path).</summary>
    Default,

    /// <summary>oneDNN switched off through libtorch's global context: ATen's native convolutions (im2col + BLAS).</summary>
    Fallback,
}
