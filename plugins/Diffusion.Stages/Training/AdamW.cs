using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// TorchSharp's AdamW, its update done over the parameters packed into one buffer (<see cref="ContiguousTensors"/>):
/// the same operations in the same order on every element, so the same numbers, but six operations a step instead of
/// six per parameter tensor and no temporaries (the denominator has a buffer of its own). At the quickstart's 128
/// tensors the AdamW step went from about 4.3 ms to 0.95 ms of a 175 ms CPU training step (docs/benchmarks.md).
/// <para>
/// The parameters that have a gradient at the first step are packed then, with their gradients and moments; a parameter
/// without one (never reached by the loss) keeps TorchSharp's per-tensor update, which skips it until it has one, so
/// weight decay never touches it early. Packing needs one parameter group of one floating dtype on one device, and
/// neither amsgrad nor maximize; otherwise the update is TorchSharp's, unchanged.
/// </para>
/// <para>
/// The class is named AdamW on purpose: TorchSharp writes the optimizer's class name into its state file and refuses
/// another on loading, so a checkpoint of either optimizer resumes into the other.
/// </para>
/// </summary>
internal sealed class AdamW : TorchSharp.Modules.AdamW
{
    private readonly Parameter[] _parameters;
    private bool _packingTried;
    private ContiguousTensors? _moments1;
    private ContiguousTensors? _moments2;
    private Tensor? _denominator;
    private State[] _packedStates = [];
    private Parameter[] _unpacked = [];
    private (int Packed, Parameter Parameter)[] _order = [];

    public AdamW(IEnumerable<Parameter> parameters, double lr, double weightDecay)
        : this(parameters.ToArray(), lr, weightDecay)
    {
    }

    private AdamW(Parameter[] parameters, double lr, double weightDecay)
        : base(parameters, lr, weight_decay: weightDecay) => _parameters = parameters;

    /// <summary>The packed parameters and gradients, once the first step has packed them; null before or when they cannot be.</summary>
    public ContiguousTensors? Packed { get; private set; }

    /// <summary>
    /// The gradients that exist, in parameter order (what <see cref="DeviceClip.TotalNorm"/> reads): the packed
    /// gradients' views, then as they come the others'.
    /// </summary>
    public Tensor[] Gradients()
    {
        if (Packed is null) return DeviceClip.Gradients(_parameters);
        var gradients = new List<Tensor>(_order.Length);
        foreach (var (packed, parameter) in _order)
        {
            if (packed >= 0) gradients.Add(Packed.GradientViews[packed]);
            else if (parameter.grad is { } gradient) gradients.Add(gradient);
        }
        return [.. gradients];
    }

    /// <summary>
    /// The same gradients as whole buffers (the packed buffer and the unpacked gradients), for an elementwise change of
    /// all of them in as few operations as possible: gradient clipping's scaling.
    /// </summary>
    public Tensor[] GradientBuffers() =>
        Packed is null ? Gradients() : [Packed.Gradients!, .. _unpacked.Select(p => p.grad).Where(g => g is not null).Select(g => g!)];

    public override void zero_grad()
    {
        if (Packed is null)
        {
            base.zero_grad();
            return;
        }
        Packed.Gradients!.zero_();
        foreach (var parameter in _unpacked)
        {
            using var gradient = parameter.grad;
            gradient?.zero_();
        }
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null || !Pack()) return base.step(closure!);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var options = (Options)_parameter_groups[0].Options;
        double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value, eps = options.eps!.Value;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value;

        foreach (var state in _packedStates) state.step += 1;
        long t = _packedStates[0].step;
        double correction1 = 1 - Math.Pow(beta1, t), correction2 = 1 - Math.Pow(beta2, t);
        var values = Packed!.Values;
        var gradients = Packed.Gradients!;
        values.mul_(1 - lr * weightDecay);
        _moments1!.Values.mul_(beta1).add_(gradients, alpha: 1 - beta1);
        _moments2!.Values.mul_(beta2).addcmul_(gradients, gradients, value: 1 - beta2);
        _denominator!.copy_(_moments2.Values).sqrt_().div_(Math.Sqrt(correction2)).add_(eps);
        values.addcdiv_(_moments1.Values, _denominator, value: -lr / correction1);

        foreach (var parameter in _unpacked) StepOne(parameter, lr, weightDecay, eps, beta1, beta2);
        return null!;
    }

    /// <summary>TorchSharp's per-tensor AdamW update of one parameter (no amsgrad, no maximize: packing excludes them).</summary>
    private void StepOne(Parameter parameter, double lr, double weightDecay, double eps, double beta1, double beta2)
    {
        var gradient = parameter.grad;
        if (gradient is null) return;
        var state = (State)_state[parameter.Handle];
        state.step += 1;
        parameter.mul_(1 - lr * weightDecay);
        double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
        state.exp_avg.mul_(beta1).add_(gradient, alpha: 1 - beta1);
        state.exp_avg_sq.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
        var denominator = (state.exp_avg_sq.sqrt() / Math.Sqrt(correction2)).add_(eps);
        parameter.addcdiv_(state.exp_avg, denominator, value: -lr / correction1);
    }

    /// <summary>Packs at the first step the parameters that have a gradient; false when they cannot be packed (TorchSharp's update then).</summary>
    private bool Pack()
    {
        if (Packed is not null) return true;
        if (_packingTried) return false;
        _packingTried = true;
        if (_parameter_groups.Count != 1 || _parameter_groups[0].Options is not Options options || options.amsgrad == true || options.maximize == true) return false;
        var withGradient = _parameters.Where(HasGradient).ToArray();
        if (withGradient.Length == 0 || !ContiguousTensors.CanPack(withGradient)) return false;
        var states = withGradient.Select(p => (State)_state[p.Handle]).ToArray();
        if (states.Any(s => s.step != states[0].step)) return false; // resumed from a state where they differ

        Packed = new ContiguousTensors(withGradient, gradients: true);
        _moments1 = new ContiguousTensors(states.Select(s => s.exp_avg).ToArray(), gradients: false);
        _moments2 = new ContiguousTensors(states.Select(s => s.exp_avg_sq).ToArray(), gradients: false);
        _denominator = empty_like(Packed.Values).DetachFromDisposeScope();
        _packedStates = states;
        var index = withGradient.Select((p, i) => (p.Handle, i)).ToDictionary(x => x.Handle, x => x.i);
        _order = _parameters.Select(p => (index.TryGetValue(p.Handle, out int i) ? i : -1, p)).ToArray();
        _unpacked = _order.Where(o => o.Packed < 0).Select(o => o.Parameter).ToArray();
        return true;
    }

    private static bool HasGradient(Parameter parameter)
    {
        using var gradient = parameter.grad;
        return gradient is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Packed?.Dispose();
            _moments1?.Dispose();
            _moments2?.Dispose();
            _denominator?.Dispose();
        }
        base.Dispose(disposing);
    }
}
