#!/usr/bin/env bash
# The samplers table of docs/benchmarks.md ("Old and new defaults on CPU") from one command, on a CPU machine:
# trains the small benchmark model (samplers-model-small.yaml: 1500 steps at batch 32, about 3 minutes on 2 quiet
# cores; cached under the --cache folder, so a second run only samples), then scores every sampler's default and the
# old defaults that issue 23 replaced at NFE 5, 10, 20 and 50 over 3 noise seeds, with ddpm at 1000 steps as the
# reference. SAMPLES (default 256) and SEEDS (default 3) change those counts (SAMPLES=64 SEEDS=2 for a quick look);
# extra arguments go to `diffusion-bench samplers` (e.g. --set stages.train.steps=300 for a shorter training; an option
# the script already passes, such as --samples, cannot be given twice). Fashion-MNIST must be installed
# (sudo apt-get install dataset-fashion-mnist); the benchmark refuses to run without it.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release tools/Diffusion.Bench -v q
old="dpmpp-2m:sigma_schedule=schedule;timestep_spacing=linspace,unipc:sigma_schedule=schedule;timestep_spacing=linspace"
old="$old,deis:sigma_schedule=schedule;timestep_spacing=linspace"
new="ddpm,ddim,euler,euler-ancestral,heun,dpm2,lms,dpmpp-2s-ancestral,dpmpp-2m,dpmpp-2m-sde,dpmpp-3m-sde,unipc,deis,edm"
exec nice tools/Diffusion.Bench/bin/Release/net10.0/diffusion-bench samplers \
  --pipeline tools/Diffusion.Bench/pipelines/samplers-model-small.yaml --metric fd-pixels \
  --samples "${SAMPLES:-256}" --seeds "${SEEDS:-3}" --nfe 5,10,20,50,1000 --above-100 ddpm \
  --samplers "$new,$old" --cache artifacts/bench/samplers-cpu "$@"
