using static TorchSharp.torch;

namespace Diffusion.Kernels;

/// <summary>
/// One kernel that training relies on, as a function of its leaf tensors (inputs and weights). The self-check runs it
/// on the same values in float32 and in float64 and compares the outputs and the gradients of every leaf.
/// </summary>
/// <param name="Name">A short name that says the op and shape, e.g. <c>conv2d 3x3 32-&gt;32</c>.</param>
/// <param name="Leaves">The op's inputs and weights, drawn from N(0, scale²).</param>
/// <param name="Compute">The op applied to the leaves, in the leaves' dtype.</param>
public sealed record KernelCase(string Name, KernelLeaf[] Leaves, Func<Tensor[], Tensor> Compute)
{
    /// <summary>
    /// The kernels of the shipped denoisers at the sizes of the quickstart (batch 32, 32 channels, 16x16): convolution
    /// (3x3, 1x1, strided, transposed; oneDNN's path for float32), linear, group norm and attention, each forward and
    /// backward.
    /// </summary>
    public static IReadOnlyList<KernelCase> Training { get; } =
    [
        Conv("conv2d 3x3 32->32 (batch 32, 16x16)", batch: 32, cin: 32, cout: 32, size: 16, kernel: 3, stride: 1, padding: 1),
        Conv("conv2d 3x3 1->32 (batch 32, 16x16)", batch: 32, cin: 1, cout: 32, size: 16, kernel: 3, stride: 1, padding: 1),
        Conv("conv2d 3x3 32->64 (batch 8, 8x8)", batch: 8, cin: 32, cout: 64, size: 8, kernel: 3, stride: 1, padding: 1),
        Conv("conv2d 3x3 stride 2 32->32 (batch 8, 16x16)", batch: 8, cin: 32, cout: 32, size: 16, kernel: 3, stride: 2, padding: 1),
        Conv("conv2d 1x1 32->64 (batch 8, 16x16)", batch: 8, cin: 32, cout: 64, size: 16, kernel: 1, stride: 1, padding: 0),
        new("conv_transpose2d 4x4 stride 2 32->32 (batch 8, 8x8)", [new("input", [8, 32, 8, 8]), new("weight", [32, 32, 4, 4], Math.Sqrt(1.0 / (32 * 16))), new("bias", [32], 0.1)],
            l => nn.functional.conv_transpose2d(l[0], l[1], l[2], strides: [2, 2], padding: [1, 1])),
        new("linear 128->256 (batch 64)", [new("input", [64, 128]), new("weight", [256, 128], Math.Sqrt(1.0 / 128)), new("bias", [256], 0.1)],
            l => nn.functional.linear(l[0], l[1], l[2])),
        new("group_norm 8 groups (batch 8, 32x16x16)", [new("input", [8, 32, 16, 16]), new("weight", [32]), new("bias", [32], 0.1)],
            l => nn.functional.group_norm(l[0], 8, l[1], l[2])),
        new("attention 4 heads (batch 8, 64 tokens, 16 per head)", [new("query", [8, 4, 64, 16]), new("key", [8, 4, 64, 16]), new("value", [8, 4, 64, 16])],
            l => nn.functional.scaled_dot_product_attention(l[0], l[1], l[2])),
    ];

    private static KernelCase Conv(string name, int batch, int cin, int cout, int size, int kernel, int stride, int padding) =>
        new(name, [new("input", [batch, cin, size, size]), new("weight", [cout, cin, kernel, kernel], Math.Sqrt(1.0 / (cin * kernel * kernel))), new("bias", [cout], 0.1)],
            l => nn.functional.conv2d(l[0], l[1], l[2], strides: [stride, stride], padding: [padding, padding]));
}
