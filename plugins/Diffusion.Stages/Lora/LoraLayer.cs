using TorchSharp.Modules;

namespace Diffusion.Stages.Lora;

/// <summary>
/// The low-rank update of one linear or 2-D convolution layer: its output y becomes y + weight · (alpha / r) · B(A(dropout(x))).
/// A has the layer's input and kernel ([r, in] or [r, in, kh, kw], same stride, padding and dilation); B maps the r
/// channels back ([out, r] or [out, r, 1, 1]). B starts at zero, so a fresh adapter leaves the layer unchanged.
/// </summary>
internal sealed class LoraLayer : nn.Module
{
    private readonly Conv2d? conv;

    /// <summary>Creates an adapter for <paramref name="layer"/> at <paramref name="path"/>; A and B are set by the caller.</summary>
    public LoraLayer(string path, nn.Module layer, Tensor a, Tensor b, double scale, double dropout) : base("LoraLayer")
    {
        Path = path;
        Layer = layer;
        Scale = scale;
        Dropout = dropout;
        conv = layer as Conv2d;
        A = new Parameter(a.detach().contiguous(), requires_grad: true);
        B = new Parameter(b.detach().contiguous(), requires_grad: true);
        register_parameter("lora_A", A);
        register_parameter("lora_B", B);
    }

    /// <summary>The adapted layer's dotted path in the network.</summary>
    public string Path { get; }

    /// <summary>The adapted layer.</summary>
    public nn.Module Layer { get; }

    /// <summary>The down projection.</summary>
    public Parameter A { get; }

    /// <summary>The up projection.</summary>
    public Parameter B { get; }

    /// <summary>alpha / r.</summary>
    public double Scale { get; }

    /// <summary>Dropout probability on the adapter's input while training.</summary>
    public double Dropout { get; }

    /// <summary>The adapter's weight when several are loaded (1 for one adapter).</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>The adapted layer's weight.</summary>
    public Parameter BaseWeight => Layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;

    /// <summary>The update this adapter adds to the layer's output for input <paramref name="x"/>.</summary>
    public Tensor Update(Tensor x)
    {
        var h = Dropout > 0 && training ? nn.functional.dropout(x, Dropout, training: true) : x;
        if (conv is not null)
        {
            h = nn.functional.conv2d(h, A, strides: conv.stride, padding: conv.padding, dilation: conv.dilation);
            h = nn.functional.conv2d(h, B);
        }
        else
        {
            h = nn.functional.linear(h, A);
            h = nn.functional.linear(h, B);
        }
        return h * (Scale * Weight);
    }

    /// <summary>weight · (alpha / r) · B·A in the shape of the layer's weight.</summary>
    public Tensor WeightUpdate()
    {
        using var scope = NewDisposeScope();
        var delta = LoraWeights.Delta(A.detach(), B.detach(), BaseWeight.shape);
        return scope.MoveToOuter(delta.mul(Scale * Weight).to_type(BaseWeight.dtype));
    }
}
