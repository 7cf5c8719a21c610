using Diffusion.Stages.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// Mixed-precision training by explicit casting (TorchSharp has no autocast): a bfloat16 or float16 copy of the network
/// runs the forward and backward passes while the float32 network keeps the master weights the optimizer, the weight
/// average and the checkpoints see. Each step copies the master weights into the copy, casts the network's input down and
/// its output up (the loss is computed in float32), and adds the copy's gradients, cast to float32 (and unscaled under
/// float16 loss scaling), to the master gradients after each backward pass, so micro-batches accumulate in float32.
/// </summary>
internal sealed class MixedPrecision : IDisposable
{
    private readonly DenoiserModule master;
    private readonly (Parameter Master, Parameter Low)[] parameters;
    private readonly (Tensor Master, Tensor Low)[] buffers;

    private MixedPrecision(DenoiserModule master, DenoiserModule low, ScalarType type, LossScaler? scaler)
    {
        this.master = master;
        Working = low;
        Type = type;
        Scaler = scaler;
        var lowParameters = low.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        parameters = master.named_parameters().Select(p => (p.parameter, lowParameters[p.name])).ToArray();
        var lowBuffers = low.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
        buffers = master.named_buffers().Select(b => (b.buffer, lowBuffers[b.name])).ToArray();
    }

    /// <summary>The low-precision network the forward and backward passes run on (train mode).</summary>
    public DenoiserModule Working { get; }

    /// <summary>bfloat16 or float16.</summary>
    public ScalarType Type { get; }

    /// <summary>The dynamic loss scaler (float16 only).</summary>
    public LossScaler? Scaler { get; }

    /// <summary>The tensor type of <paramref name="precision"/>.</summary>
    public static ScalarType TypeOf(Precision precision) => precision switch
    {
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Fp16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// <summary>
    /// Mixed precision for training <paramref name="master"/> (float32) at <paramref name="precision"/>, or null for fp32;
    /// <paramref name="build"/> builds a fresh network of the same architecture.
    /// </summary>
    public static MixedPrecision? ForTraining(Precision precision, DenoiserModule master, Func<DenoiserModule> build, Device device, double lossScale,
        TrainerState? resumed, ILogger logger)
    {
        if (precision == Precision.Fp32) return null;
        WarnIfSlow(precision, device, logger);
        var low = LowPrecisionCopy(master, build, device, TypeOf(precision));
        low.train();
        LossScaler? scaler = null;
        if (precision == Precision.Fp16)
        {
            scaler = new LossScaler(lossScale);
            if (resumed?.LossScale is { } scale) scaler.Restore(scale, resumed.LossScaleGoodSteps);
        }
        return new MixedPrecision(master, low, TypeOf(precision), scaler);
    }

    /// <summary><paramref name="state"/> with the loss scaler's state (fp16), for a checkpoint.</summary>
    public TrainerState WithScale(TrainerState state) =>
        Scaler is null ? state : state with { LossScale = Scaler.Scale, LossScaleGoodSteps = Scaler.GoodSteps };

    /// <summary>
    /// Says in the log what fp16 costs on a CPU: libtorch has float16 CPU kernels for every layer but no fast ones (oneDNN
    /// has no float16 convolutions without AVX512-FP16/AMX-FP16), so it runs about 8-14x slower than fp32 there
    /// (docs/performance.md, "Precision").
    /// </summary>
    public static void WarnIfSlow(Precision precision, Device device, ILogger logger)
    {
        if (precision == Precision.Fp16 && device.type == DeviceType.CPU)
            logger.LogWarning("precision: fp16 on the CPU runs libtorch's slow float16 kernels (about 8-14x slower than fp32 on this project's CPU); use bf16 or fp32 on a CPU");
    }

    /// <summary>
    /// A copy of <paramref name="network"/> (same shapes, pruning masks and weights) in <paramref name="type"/>, built by
    /// <paramref name="build"/>; in eval mode.
    /// </summary>
    public static DenoiserModule LowPrecisionCopy(DenoiserModule network, Func<DenoiserModule> build, Device device, ScalarType type)
    {
        var copy = build();
        var state = network.state_dict();
        NetworkShapes.AdoptShapes(copy, state);
        copy.to(device);
        copy.to(type);
        using (no_grad())
        {
            foreach (var (name, target) in copy.state_dict())
                if (state.TryGetValue(name, out var source)) target.copy_(source);
        }
        copy.eval();
        return copy;
    }

    /// <summary>Copies the master weights (and buffers) into <see cref="Working"/>; at the start of every step.</summary>
    public void LoadWeights()
    {
        using var noGrad = no_grad();
        foreach (var (m, low) in parameters) low.copy_(m);
        foreach (var (m, low) in buffers) low.copy_(m);
    }

    /// <summary>The network's output for <paramref name="x"/> cast down, cast up to float32.</summary>
    public Tensor Forward(Tensor x, Tensor t, Conditioning? conditioning) =>
        Working.forward(x.is_floating_point() ? x.to_type(Type) : x, t, conditioning).to_type(ScalarType.Float32);

    /// <summary>
    /// Back-propagates <paramref name="loss"/> (float32; multiplied by the loss scale under float16) through
    /// <see cref="Working"/> and adds its gradients, in float32 and unscaled, to the master parameters' gradients.
    /// </summary>
    public void Backward(Tensor loss)
    {
        (Scaler is null ? loss : loss * Scaler.Scale).backward();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (m, low) in parameters)
        {
            if (low.grad is not { } lowGrad) continue;
            var gradient = lowGrad.to_type(ScalarType.Float32);
            if (Scaler is not null) gradient.mul_(1.0 / Scaler.Scale);
            if (m.grad is { } existing) existing.add_(gradient);
            else m.grad = gradient;
            lowGrad.zero_();
        }
    }

    /// <summary>
    /// Under float16, true when step <paramref name="step"/> (1-based) overflowed and must be skipped: its loss is finite
    /// but the global norm of its unscaled gradients is not (<paramref name="finite"/>, the guard's one read,
    /// <see cref="NonFiniteGuard.Read"/>); the scale is halved, or grown after enough good steps (<see cref="LossScaler"/>).
    /// A non-finite loss is left to the guard: the scale does not change the forward pass, so it is not an overflow of the
    /// scaling. bf16 and fp32 steps have no scaler: false.
    /// </summary>
    public bool Overflowed(long step, StepFiniteness finite, ITracker tracker, ILogger logger) =>
        Scaler is not null && finite.Loss && !Scaler.Update(step, finite.Gradients, tracker, logger);

    public void Dispose() => Working.Dispose();
}
