using System.Diagnostics;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Stages.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Bench.Training;

/// <summary>
/// The training loop a user would write by hand in TorchSharp, with the pipeline's model, data, schedule, batch size,
/// and the train stage's own update: its AdamW (same learning rate and weight decay, the parameters packed into one
/// buffer), its gradient clipping and, when ema_decay is above 0, its weight average (updated after every step). No
/// tracking, no progress, no reseeding, no finiteness check: what the train stage adds is what the overhead benchmark
/// measures.
/// </summary>
internal sealed class HandLoop : IDisposable
{
    private readonly ModalityData data;
    private readonly DenoiserModule network;
    private readonly NoiseSchedule schedule;
    private readonly Stages.Training.AdamW optimizer;
    private readonly TrainOptions options;
    private readonly Generator generator = new(1234, CPU);
    private readonly IDenoiser denoiser;
    private readonly DataSpec dataSpec;
    private readonly ISampler trainSampler;
    private readonly WeightAverage? average;
    private long averageUpdates;

    public HandLoop(PipelineSpec spec)
    {
        options = TrainOptions.Of(spec.Stages.Single(s => s.Type.Name == "train").Options!);
        using var services = new ServiceCollection().AddSingleton<ILogger>(NullLogger.Instance).BuildServiceProvider();
        object Create(string name)
        {
            var component = spec.Components.Single(c => c.Name == name);
            return ComponentFactory.Create(services, component.Plugin, component.Options);
        }
        var modality = (IModality)Create(options.Data);
        data = modality.Load(DataSplit.Train);
        trainSampler = (ISampler)Create(options.Sampler);
        SamplerPlugin = spec.Components.Single(c => c.Name == options.Sampler).Plugin.Name;
        schedule = trainSampler.CreateSchedule();
        manual_seed(1);
        denoiser = (IDenoiser)Create(options.Model);
        dataSpec = modality.Spec;
        network = denoiser.Build(modality.Spec);
        network.train();
        optimizer = new Stages.Training.AdamW(network.parameters(), options.Lr, options.WeightDecay);
        if (options.EmaDecay > 0) average = new WeightAverage(network, denoiser.Build(dataSpec), options.EmaDecay);
    }

    /// <summary>The train stage's options this loop runs with.</summary>
    public TrainOptions Options => options;

    /// <summary>The network being trained.</summary>
    public DenoiserModule Network => network;

    /// <summary>The shape of one data item ([C, H, W] for images).</summary>
    public long[] ItemShape => dataSpec.ItemShape;

    /// <summary>Trainable parameters of the network (what the train stage logs as model.NAME.parameters).</summary>
    public long Parameters => network.parameters().Sum(p => p.numel());

    /// <summary>Training items the data component loaded.</summary>
    public long Items => data.Count;

    /// <summary>The plugin name of the train stage's sampler component (whose schedule the loop trains with).</summary>
    public string SamplerPlugin { get; }

    /// <summary>
    /// Draws <paramref name="count"/> samples with <paramref name="steps"/> steps of the train stage's own sampler component,
    /// from the weight average when there is one (as the sample stage does), else from the network in eval mode; per-sample
    /// noise generators as the sample stage makes them. Returns the wall-clock seconds.
    /// </summary>
    public double Sample(int count, int steps)
    {
        var model = average?.Network ?? network;
        bool training = model.training;
        model.eval();
        var clock = Stopwatch.StartNew();
        using (NewDisposeScope())
        {
            using var generators = new SampleGenerators(1, "sample", 0, count);
            var noise = generators.Randn(dataSpec.ItemShape, CPU);
            var context = new SamplingContext(new TrainedModel(model, schedule, dataSpec), steps, generators);
            _ = trainSampler.Sample(noise, context);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (training) model.train();
        return seconds;
    }

    /// <summary>Runs <paramref name="steps"/> steps; returns the wall-clock and process CPU duration of each.</summary>
    public (double[] Wall, double[] Cpu) Run(int steps)
    {
        var times = new double[steps];
        var cpu = new double[steps];
        var clock = new Stopwatch();
        for (int i = 0; i < steps; i++)
        {
            clock.Restart();
            double cpuStart = StepClock.ProcessCpuSeconds();
            using (NewDisposeScope())
            {
                var index = randint(0, data.Count, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
                var x0 = data.Items.index_select(0, index);
                var t = randint(0, schedule.Timesteps, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
                var noise = randn(x0.shape, generator: generator);
                var output = network.forward(schedule.AddNoise(x0, noise, t), t.to_type(ScalarType.Float32), null);
                var loss = nn.functional.mse_loss(output, schedule.TrainingTarget(x0, noise, t));
                optimizer.zero_grad();
                loss.backward();
                if (options.GradClip > 0) DeviceClip.Clip(optimizer.GradientBuffers(), DeviceClip.TotalNorm(optimizer.Gradients()), options.GradClip);
                optimizer.step();
                _ = loss.item<float>();
                average?.Update(averageUpdates++, optimizer.Packed);
            }
            times[i] = clock.Elapsed.TotalSeconds;
            cpu[i] = StepClock.ProcessCpuSeconds() - cpuStart;
        }
        return (times, cpu);
    }

    /// <summary>
    /// Forward and backward only (no optimizer), of the network or of a copy of it cast to <paramref name="dtype"/> with the
    /// input cast alike (timesteps stay float32, as the train stage passes them); with <paramref name="channelsLast"/> the
    /// input and the convolution weights are laid out channels-last (NHWC strides), which libtorch's convolutions then
    /// keep through the network. The wall-clock seconds of each step.
    /// </summary>
    public double[] ForwardBackward(int steps, ScalarType dtype, bool channelsLast = false)
    {
        var times = new double[steps];
        var clock = new Stopwatch();
        using var copy = dtype == ScalarType.Float32 && !channelsLast ? null : Clone(dtype, channelsLast);
        var model = copy ?? network;
        for (int i = 0; i < steps; i++)
        {
            clock.Restart();
            using (NewDisposeScope())
            {
                var index = randint(0, data.Count, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
                var x0 = data.Items.index_select(0, index);
                var t = randint(0, schedule.Timesteps, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
                var noise = randn(x0.shape, generator: generator);
                var x = schedule.AddNoise(x0, noise, t).to_type(dtype);
                if (channelsLast) x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
                var output = model.forward(x, t.to_type(ScalarType.Float32), null);
                var loss = nn.functional.mse_loss(output.to_type(ScalarType.Float32), schedule.TrainingTarget(x0, noise, t));
                model.zero_grad();
                loss.backward();
                _ = loss.item<float>();
            }
            times[i] = clock.Elapsed.TotalSeconds;
        }
        return times;
    }

    /// <summary>
    /// A copy of the network in <paramref name="dtype"/>; with <paramref name="channelsLast"/> every 4-D weight is laid out
    /// channels-last (NHWC strides, what PyTorch's <c>to(memory_format=torch.channels_last)</c> does; TorchSharp 0.107 has
    /// no memory-format API), which makes libtorch's oneDNN convolutions run and return channels-last.
    /// </summary>
    private DenoiserModule Clone(ScalarType dtype, bool channelsLast = false)
    {
        var copy = denoiser.Build(dataSpec);
        using (no_grad())
            foreach (var (to, from) in copy.parameters().Zip(network.parameters())) to.copy_(from);
        copy.to(dtype);
        if (channelsLast)
        {
            using var noGrad = no_grad();
            foreach (var p in copy.parameters().Where(p => p.dim() == 4))
                p.set_(p.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
        }
        copy.train();
        return copy;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        average?.Network.Dispose();
        average?.Dispose();
        network.Dispose();
        data.Dispose();
        generator.Dispose();
    }
}

/// <summary>
/// The train stage's options this loop copies, read by name: the stage is a plugin in its own load context, so its
/// options type is not one the benchmark can name.
/// </summary>
internal sealed record TrainOptions(string Data, string Sampler, string Model, int BatchSize, double Lr, double WeightDecay, double GradClip, double EmaDecay)
{
    public static TrainOptions Of(object options)
    {
        T Get<T>(string name) => (T)(options.GetType().GetProperty(name)?.GetValue(options)
                                     ?? throw new InvalidOperationException($"the train stage's options have no {name}"));
        return new TrainOptions(Get<string>("Data"), Get<string>("Sampler"), Get<string>("Model"), Get<int>("BatchSize"),
            Get<double>("Lr"), Get<double>("WeightDecay"), Get<double>("GradClip"), Get<double>("EmaDecay"));
    }
}
