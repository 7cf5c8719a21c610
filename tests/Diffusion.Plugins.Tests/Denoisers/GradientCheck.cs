using System.Globalization;

namespace Diffusion.Plugins.Tests.Denoisers;

/// <summary>
/// Gradient checks for denoiser networks: autograd against central finite differences (in float64), and float32 autograd
/// against float64 autograd. The second catches a float32 kernel that computes wrong gradients, such as the oneDNN
/// convolution backward of libtorch on some AMD EPYC CPUs (issue 15): float64 convolutions do not go through oneDNN.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// A scalar loss of <c>network</c>; the tensor is the network's differentiable input in the network's dtype (x_t, or
    /// the condition image), or null when the input is discrete (token indices).
    /// </summary>
    public delegate Tensor Loss(DenoiserModule network, Tensor? input);

    /// <summary>
    /// The central difference (f(v + ε) − f(v − ε)) / 2ε of <paramref name="loss"/> with respect to element
    /// <paramref name="index"/> (of the flattened, contiguous <paramref name="tensor"/>), which is changed in place and restored.
    /// </summary>
    public static double FiniteDifference(Func<double> loss, Tensor tensor, long index, double epsilon = 1e-6)
    {
        using var noGrad = no_grad();
        using var flat = tensor.detach().view(-1);
        using var element = flat[index];
        double original = element.item<double>();
        element.fill_(original + epsilon);
        double plus = loss();
        element.fill_(original - epsilon);
        double minus = loss();
        element.fill_(original);
        return (plus - minus) / (2 * epsilon);
    }

    /// <summary>
    /// The elements of a tensor to check by finite differences, the same on every run: the one with the largest
    /// |<paramref name="gradient"/>| (so the check is never only of zeros) and <paramref name="spread"/> more, evenly spaced.
    /// </summary>
    public static long[] Elements(Tensor gradient, int spread = 2)
    {
        long count = gradient.numel();
        long largest = gradient.abs().flatten().argmax().item<long>();
        return Enumerable.Range(0, spread).Select(k => (2L * k + 1) * count / (2L * spread)).Prepend(largest).Distinct().ToArray();
    }

    /// <summary>Whether autograd's <paramref name="analytic"/> and a finite difference <paramref name="numeric"/> agree: |a − n| ≤ atol + rtol·max(|a|, |n|).</summary>
    public static bool Close(double analytic, double numeric, double rtol = 1e-5, double atol = 1e-8) =>
        Math.Abs(analytic - numeric) <= atol + rtol * Math.Max(Math.Abs(analytic), Math.Abs(numeric));

    /// <summary>
    /// max|<paramref name="approximate"/> − <paramref name="exact"/>| / (max|<paramref name="exact"/>| + <paramref name="floor"/>),
    /// computed in float64; <paramref name="floor"/> keeps an exactly-zero gradient from dividing rounding noise by nothing.
    /// </summary>
    public static double NormalisedError(Tensor approximate, Tensor exact, double floor = 1e-12)
    {
        using var scope = NewDisposeScope();
        var reference = exact.to_type(ScalarType.Float64);
        double difference = (approximate.to_type(ScalarType.Float64) - reference).abs().max().item<double>();
        return difference / (reference.abs().max().item<double>() + floor);
    }

    /// <summary>
    /// Asserts that the autograd gradients of <paramref name="loss"/> with respect to the parameters named in
    /// <paramref name="parameters"/> (and <paramref name="input"/>, when given) match central finite differences at a few
    /// elements each (<see cref="Elements"/>). The network must be float64, deterministic (eval mode) and have no
    /// gradients yet; a named parameter that does not exist, or gets an all-zero gradient, fails the check too.
    /// </summary>
    public static void AssertMatchesFiniteDifferences(DenoiserModule network, Tensor? input, Loss loss, params string[] parameters)
    {
        var all = network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var missing = parameters.Where(name => !all.ContainsKey(name)).ToList();
        Assert.True(missing.Count == 0, $"no parameters {string.Join(", ", missing)}; the network has {string.Join(", ", all.Keys)}");
        var checkedTensors = parameters.Select(name => (Name: name, Tensor: all[name])).ToList();
        if (input is not null) checkedTensors.Add(("input", input));

        loss(network, input).backward();
        double Value()
        {
            using var scope = NewDisposeScope();
            return loss(network, input).item<double>();
        }

        var failures = new List<string>();
        foreach (var (name, tensor) in checkedTensors)
        {
            var gradient = tensor.grad;
            if (gradient is null || gradient.abs().max().item<double>() == 0)
            {
                failures.Add($"{name}: no gradient");
                continue;
            }
            var flat = gradient.flatten();
            foreach (long index in Elements(gradient))
            {
                double analytic = flat[index].item<double>();
                double numeric = FiniteDifference(Value, tensor, index);
                if (!Close(analytic, numeric))
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}[{index}]: autograd {analytic:R}, finite difference {numeric:R}"));
            }
        }
        Assert.True(failures.Count == 0, "gradients differ from finite differences:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// Asserts that float32 autograd gives the gradients float64 autograd gives, for every parameter and for the input:
    /// <paramref name="network32"/> gets the weights of <paramref name="network64"/>, <paramref name="input64"/> is cast
    /// to float32, and each float32 gradient must be finite with a <see cref="NormalisedError"/> below
    /// <paramref name="tolerance"/>. The floor of that error is 10⁻⁴ of the largest float64 gradient of the network, so
    /// gradients that are zero in exact arithmetic (a bias just before a normalisation, attention's key bias) compare
    /// their float32 rounding noise with the network's gradient scale. Both networks must be deterministic (eval mode).
    /// </summary>
    public static void AssertFloat32MatchesFloat64(DenoiserModule network64, DenoiserModule network32, Tensor? input64, Loss loss, double tolerance = 1e-3)
    {
        using (no_grad())
        {
            var weights = network64.state_dict();
            foreach (var (name, tensor) in network32.state_dict()) tensor.copy_(weights[name]);
        }
        var input32 = input64?.detach().to_type(ScalarType.Float32).requires_grad_();
        var gradients64 = Gradients(network64, input64, loss);
        var gradients32 = Gradients(network32, input32, loss);
        double floor = 1e-4 * gradients64.Values.OfType<Tensor>().Max(g => g.abs().max().item<double>()) + 1e-12;

        var failures = new List<string>();
        foreach (var (name, exact) in gradients64)
        {
            var approximate = gradients32[name];
            if (exact is null || approximate is null)
                failures.Add($"{name}: no gradient (float64: {exact is not null}, float32: {approximate is not null})");
            else if (!approximate.isfinite().all().item<bool>())
                failures.Add($"{name}: float32 gradient has {approximate.isfinite().logical_not().sum().item<long>()} non-finite values");
            else if (NormalisedError(approximate, exact, floor) is var error && !(error < tolerance))
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: normalised error {error:G3} (max |float64 gradient| {exact.abs().max().item<double>():G3})"));
        }
        Assert.True(failures.Count == 0, "float32 gradients differ from float64 ones:\n" + string.Join("\n", failures));
    }

    /// <summary>The gradient of <paramref name="loss"/> for each named parameter and the input (named "input"), or null where none flows.</summary>
    private static Dictionary<string, Tensor?> Gradients(DenoiserModule network, Tensor? input, Loss loss)
    {
        loss(network, input).backward();
        var gradients = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        if (input is not null) gradients["input"] = input.grad;
        return gradients;
    }
}
