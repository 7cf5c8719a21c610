using System.Diagnostics;
using System.Globalization;
using Diffusion.Bench.Training;

// Training benchmarks; see docs/benchmarks.md ("Training") for the commands and the figures.
//   overhead [--pipeline FILE] [--steps N] [--rounds R] [--warmup W] [--set PATH=VALUE ...]
//   memory   [--pipeline FILE] [--steps N] [--every K] [--set PATH=VALUE ...]
//   kernels  [--pipeline FILE] [--steps N] [--rounds R] [--warmup W] [--set PATH=VALUE ...]
//   update   [--pipeline FILE] [--steps N]   (the AdamW step, clipping and weight average alone, one thread)
//   peer     [--pipeline FILE] [--threads T] [--steps N] [--warmup W] [--samples K] [--sample-steps M] [--check-out FOLDER] [--set PATH=VALUE ...]
//            (the project side of tools/bench-pytorch/run.sh: one JSON line, the same fields as peer.py prints; --check-out
//            writes the initial weights and one forward pass for peer.py --check instead)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
// As the CLI does, before libtorch loads (DIFFUSION_MALLOC=system / DIFFUSION_OMP_WAIT=system measure without it).
var host = Diffusion.Core.Host.ProcessSetup.Apply();
Console.WriteLine($"host: malloc {host.Allocator}; omp wait {host.OpenMpWait}");
string mode = args.FirstOrDefault() ?? "overhead";
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
string pipeline = Arg("--pipeline", "pipelines/quickstart.yaml");
string[] overrides = args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToArray();

switch (mode)
{
    case "overhead":
        Overhead(int.Parse(Arg("--steps", "40")), int.Parse(Arg("--rounds", "3")), int.Parse(Arg("--warmup", "5")));
        break;
    case "memory":
        Memory(int.Parse(Arg("--steps", "5000")), int.Parse(Arg("--every", "250")));
        break;
    case "precision":
        Precision(int.Parse(Arg("--steps", "10")), int.Parse(Arg("--rounds", "3")));
        break;
    case "kernels":
        Kernels(int.Parse(Arg("--steps", "20")), int.Parse(Arg("--rounds", "3")), int.Parse(Arg("--warmup", "3")));
        break;
    case "peer":
        return PeerMode.Run(pipeline, overrides, Arg);
    case "update":
        UpdateParts.Run(Quickstart.Load(pipeline, overrides), int.Parse(Arg("--steps", "200")));
        break;
    default:
        Console.Error.WriteLine("usage: Diffusion.Bench.Training overhead|memory|precision|kernels|update|peer [--pipeline FILE] [--steps N] [--rounds R] [--warmup W] [--every K] " +
                                "[--threads T] [--samples K] [--sample-steps M] [--set PATH=VALUE ...]");
        return 2;
}
return 0;

// One training step through the pipeline's train stage against the hand-written loop with the same model, batch,
// optimizer and data, interleaved step by step: after each of the stage's steps the loop takes one of its own (from the
// stage's progress report, its time not counted in the stage's step), so a slow patch of a shared or virtual machine hits
// both sides alike within every round. A round is a fresh run of the stage and a fresh hand-written loop, the first round
// included in the figures. Medians of wall-clock step times, and of process CPU time per step (all threads).
void Overhead(int steps, int rounds, int warmup)
{
    var spec = Quickstart.Load(pipeline, [$"stages.train.steps={steps}", "stages.train.ema_decay=0", "stages.train.warmup_steps=0",
        "stages.train.checkpoint_every=0", .. overrides]);
    Console.WriteLine($"overhead: {pipeline} {string.Join(" ", overrides.Select(o => "--set " + o))}, {steps} steps per round ({warmup} discarded), " +
                      $"{rounds} rounds, interleaved step by step, {Environment.ProcessorCount} cores");
    var pipelineWall = new List<double>();
    var pipelineCpu = new List<double>();
    var handWall = new List<double>();
    var handCpu = new List<double>();
    var roundRatios = new List<double>();
    string scratch = Quickstart.Scratch();
    try
    {
        for (int round = 0; round < rounds; round++)
        {
            using var hand = new HandLoop(spec);
            var hw = new List<double>();
            var hc = new List<double>();
            Quickstart.RunTraining(spec, scratch, cancel => new StepClock(cancel)
            {
                OnStep = _ =>
                {
                    var (wall, cpu) = hand.Run(1);
                    hw.Add(wall[0]);
                    hc.Add(cpu[0]);
                },
            }, out var clock);
            // The stage's first report has no step before it; the loop's first step has no match: drop both, then the warm-up.
            var (pw, pc) = (clock.StepSeconds().Skip(warmup).ToArray(), clock.StepCpuSeconds().Skip(warmup).ToArray());
            var (hws, hcs) = (hw.Skip(warmup + 1).ToArray(), hc.Skip(warmup + 1).ToArray());
            pipelineWall.AddRange(pw);
            pipelineCpu.AddRange(pc);
            handWall.AddRange(hws);
            handCpu.AddRange(hcs);
            roundRatios.Add(Median(pw) / Median(hws));
            Console.WriteLine($"  round {round + 1}: wall {Median(pw) * 1000:0.0} vs {Median(hws) * 1000:0.0} ms (ratio {Median(pw) / Median(hws):0.000}), " +
                              $"cpu {Median(pc) * 1000:0.0} vs {Median(hcs) * 1000:0.0} ms (ratio {Median(pc) / Median(hcs):0.000})");
        }
    }
    finally
    {
        Directory.Delete(scratch, recursive: true);
    }
    Console.WriteLine($"all rounds ({pipelineWall.Count} steps each side): pipeline vs hand-written median wall {Median(pipelineWall) * 1000:0.0} vs " +
                      $"{Median(handWall) * 1000:0.0} ms/step, ratio {Median(pipelineWall) / Median(handWall):0.000}; median CPU {Median(pipelineCpu) * 1000:0.0} vs " +
                      $"{Median(handCpu) * 1000:0.0} ms/step, ratio {Median(pipelineCpu) / Median(handCpu):0.000}; round ratios " +
                      $"{roundRatios.Min():0.000}-{roundRatios.Max():0.000}");
}

// Process RSS while the quickstart's train stage runs for many steps (EMA and checkpoints on, as shipped).
void Memory(int steps, int every)
{
    var spec = Quickstart.Load(pipeline, [$"stages.train.steps={steps}", .. overrides]);
    Console.WriteLine($"memory: {pipeline} {string.Join(" ", overrides.Select(o => "--set " + o))}, {steps} steps, RSS every {every} steps");
    var process = Process.GetCurrentProcess();
    var samples = new List<(long Step, double Rss)>();
    string scratch = Quickstart.Scratch();
    try
    {
        Quickstart.RunTraining(spec, scratch, cancel => new StepClock(cancel)
        {
            OnStep = step =>
            {
                if (step % every != 0) return;
                process.Refresh();
                double rss = process.WorkingSet64 / 1048576.0;
                samples.Add((step, rss));
                Console.WriteLine($"  step {step,6}: RSS {rss,8:0.0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0,6:0.0} MiB");
            },
        }, out _);
    }
    finally
    {
        Directory.Delete(scratch, recursive: true);
    }
    // RSS moves up and down by a few hundred MiB as the allocator takes and returns memory (checkpoints, sampling of the
    // EMA), so compare windows, not single readings: the median over the first 20% of steps after warm-up against the last 20%.
    var afterWarmup = samples.Where(s => s.Step > steps / 10).ToList();
    var early = afterWarmup.Where(s => s.Step <= steps * 3 / 10).Select(s => s.Rss).ToList();
    var late = afterWarmup.Where(s => s.Step > steps * 8 / 10).Select(s => s.Rss).ToList();
    Console.WriteLine($"median RSS over steps {steps / 10}-{steps * 3 / 10}: {Median(early):0.0} MiB; over steps {steps * 8 / 10}-{steps}: {Median(late):0.0} MiB; " +
                      $"growth {(Median(late) - Median(early)) / Median(early) * 100:0.00}%; lowest / highest after warm-up {afterWarmup.Min(s => s.Rss):0.0} / {afterWarmup.Max(s => s.Rss):0.0} MiB");
}

// Forward + backward of the pipeline's network at batch size in float32 against a bfloat16 copy (same weights), in
// alternating rounds: what mixed precision could gain on this CPU before any of it is wired into the stages.
void Precision(int steps, int rounds)
{
    var spec = Quickstart.Load(pipeline, ["stages.train.ema_decay=0", .. overrides]);
    using var fp32 = new HandLoop(spec);
    Console.WriteLine($"precision: {pipeline} {string.Join(" ", overrides.Select(o => "--set " + o))}, {steps} steps per round (first discarded), {rounds} rounds, {TorchSharp.torch.get_num_threads()} threads");
    (string Name, TorchSharp.torch.ScalarType Type, bool ChannelsLast)[] variants =
    [
        ("float32", TorchSharp.torch.ScalarType.Float32, false), ("bfloat16", TorchSharp.torch.ScalarType.BFloat16, false),
        ("float16", TorchSharp.torch.ScalarType.Float16, false), ("float32 channels-last", TorchSharp.torch.ScalarType.Float32, true),
        ("bfloat16 channels-last", TorchSharp.torch.ScalarType.BFloat16, true),
    ];
    var wall = variants.ToDictionary(v => v.Name, _ => new List<double>());
    for (int round = 0; round < rounds; round++)
        foreach (var (name, dtype, channelsLast) in round % 2 == 0 ? variants : variants.Reverse())
        {
            var seconds = fp32.ForwardBackward(steps, dtype, channelsLast);
            wall[name].AddRange(seconds.Skip(1));
            Console.WriteLine($"  round {round + 1} {name,-22}: {Median(seconds.Skip(1).ToList()) * 1000,7:0.0} ms/step");
        }
    Console.WriteLine("median forward+backward over all rounds (ms/step, speed-up over float32):");
    foreach (var (name, _, _) in variants)
        Console.WriteLine($"  {name,-22} {Median(wall[name]) * 1000,7:0.0}  {Median(wall["float32"]) / Median(wall[name]):0.00}x");
}

// The kernel fallback (oneDNN off, issue 15) against the default path: the hand-written training step of the pipeline's
// model in alternating rounds, and the self-check's own time on each path.
void Kernels(int steps, int rounds, int warmup)
{
    var spec = Quickstart.Load(pipeline, [$"stages.train.steps={steps}", "stages.train.ema_decay=0", "stages.train.warmup_steps=0", .. overrides]);
    Console.WriteLine($"kernels: {pipeline} {string.Join(" ", overrides.Select(o => "--set " + o))}, {steps} steps per round ({warmup} discarded), " +
                      $"{rounds} rounds, {Environment.ProcessorCount} cores, {TorchSharp.torch.get_num_threads()} threads, oneDNN {Diffusion.Kernels.LibTorchContext.OneDnnVersion}");
    var wall = new Dictionary<string, List<double>> { ["default"] = [], ["fallback"] = [] };
    var check = new Dictionary<string, List<double>> { ["default"] = [], ["fallback"] = [] };
    var cache = new Diffusion.Kernels.KernelCheckCache(Quickstart.Scratch());
    try
    {
        for (int round = 0; round < rounds; round++)
        {
            foreach (string path in new[] { "default", "fallback" })
            {
                Diffusion.Kernels.KernelGuard.Decide(path, cache, Diffusion.Kernels.KernelCase.Training, null, recheck: false);
                var report = Diffusion.Kernels.KernelSelfCheck.Run();
                check[path].Add(report.Seconds);
                using var hand = new HandLoop(spec);
                var seconds = hand.Run(steps).Wall.Skip(warmup + 1).ToArray();
                wall[path].AddRange(seconds);
                Console.WriteLine($"  round {round + 1} {path,-8}: {Median(seconds) * 1000,7:0.0} ms/step, self-check {report.Seconds:0.000} s ({(report.Passed ? "passed" : "FAILED: " + report.Failures)})");
            }
        }
    }
    finally
    {
        Directory.Delete(cache.Folder, recursive: true);
    }
    Console.WriteLine($"median over all rounds: default {Median(wall["default"]) * 1000:0.0} ms/step, fallback {Median(wall["fallback"]) * 1000:0.0} ms/step " +
                      $"(fallback/default {Median(wall["fallback"]) / Median(wall["default"]):0.00}x); self-check default {Median(check["default"]):0.000} s, fallback {Median(check["fallback"]):0.000} s");
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
