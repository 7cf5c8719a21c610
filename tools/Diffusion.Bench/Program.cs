using System.CommandLine;
using Diffusion.Bench.Samplers;

// diffusion-bench: benchmarks whose results go into docs/benchmarks.md. Not tests: they take minutes and report numbers.
var root = new RootCommand("Diffusion.Framework benchmarks (results go into docs/benchmarks.md).") { SamplersCommand.Create() };
return root.Parse(args).Invoke();
