#!/usr/bin/env bash
# Data-parallel training throughput of docs/benchmarks.md (issue 18): the quickstart's UNet and data (16x16 shapes,
# global batch 32, AdamW, EMA on, no checkpoints until the end) trained for STEPS steps
#   1 rank   one process, one libtorch thread, batch 32
#   2 ranks  mpiexec -n 2, one libtorch thread each, batch 16 per rank (same global batch, same examples)
#   1x2      one process with two libtorch threads (what the same two cores give without MPI), for reference
# and prints examples/s, the scaling efficiency (2-rank examples/s over twice the 1-rank figure), the share of the
# step spent averaging gradients (train/allreduce_fraction: copies, MPI and waiting for the slower rank), and the
# parameter counts of the quickstart UNet and the Fashion-MNIST UNet used by the cost model.
# Usage: tools/bench-distributed.sh [STEPS] (default 60). Needs MPICH (sudo apt-get install mpich). Run it on an
# otherwise idle machine and note the load (uptime) beside the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-60}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/diffusion-bench-distributed}
rm -rf "$work"; mkdir -p "$work"
dotnet build tools/Diffusion.Cli -v q -nologo >/dev/null
cli="$PWD/tools/Diffusion.Cli/bin/Debug/net10.0/diffusion"
export DIFFUSION_DB="$work/tracking.db" DIFFUSION_ARTIFACTS="$work/runs"

cat > "$work/bench.yaml" <<YAML
name: bench-distributed
seed: 42
device: cpu
components:
  data: {plugin: image, dataset: shapes, image_size: IMAGE, count: 4000}
  model: {plugin: unet2d, base_channels: 32, channel_mults: MULTS, res_blocks: 1, attention_resolutions: [ATTENTION]}
  noise: {plugin: ddpm, beta_schedule: cosine, timesteps: 1000}
stages:
  - name: train
    type: train
    model: model
    data: data
    sampler: noise
    steps: $steps
    batch_size: 32
    lr: 0.002
    warmup_steps: 100
    ema_decay: 0.995
    checkpoint_every: 0
YAML
sed -e 's/IMAGE/16/; s/MULTS/[1, 2]/; s/ATTENTION/8/' "$work/bench.yaml" > "$work/quickstart.yaml"
sed -e 's/IMAGE/28/; s/MULTS/[1, 2, 2]/; s/ATTENTION/7/' "$work/bench.yaml" > "$work/fashion.yaml"

run_id() { sed -n 's/^run \([0-9a-f]*\) started$/\1/p'; }
metric() { "$cli" runs show "$1" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['metrics'].get('$2',{}).get('last','nan'))"; }
param() { "$cli" runs show "$1" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['params']['$2'])"; }

echo "load before: $(uptime)"
one=$(OMP_NUM_THREADS=1 "$cli" run "$work/quickstart.yaml" 2>/dev/null | run_id)
two=$(OMP_NUM_THREADS=1 mpiexec -n 2 "$cli" run "$work/quickstart.yaml" --set stages.train.batch_size=16 2>/dev/null | run_id)
both=$(OMP_NUM_THREADS=2 "$cli" run "$work/quickstart.yaml" 2>/dev/null | run_id)
echo "load after:  $(uptime)"
python3 - "$(metric "$one" train/steps_per_second)" "$(metric "$two" train/steps_per_second)" "$(metric "$both" train/steps_per_second)" \
  "$(metric "$two" train/allreduce_fraction)" <<'PY'
import sys
one, two, both, share = map(float, sys.argv[1:])
print(f"1 rank  x 1 thread : {one * 32:7.1f} examples/s ({1000 / one:6.1f} ms/step)")
print(f"2 ranks x 1 thread : {two * 32:7.1f} examples/s ({1000 / two:6.1f} ms/step)  efficiency {two / (2 * one):.3f}  all-reduce share {share:.3f}")
print(f"1 rank  x 2 threads: {both * 32:7.1f} examples/s ({1000 / both:6.1f} ms/step)")
PY
fashion=$("$cli" run "$work/fashion.yaml" --set stages.train.steps=1 2>/dev/null | run_id)
echo "parameters: quickstart UNet $(param "$one" model.model.parameters), Fashion-MNIST UNet $(param "$fashion" model.model.parameters)"
