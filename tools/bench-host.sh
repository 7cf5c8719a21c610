#!/usr/bin/env bash
# Host setup benchmarks (issue 24, docs/benchmarks.md "Host: allocator and threads"): each measurement is a fresh
# process of the training benchmark (tools/Diffusion.Bench.Training), the pipeline's train stage on the quickstart UNet
# (batch 64), alternating the settings compared so load from elsewhere hits both alike.
#   A. glibc allocator: DIFFUSION_MALLOC=system (glibc's dynamic thresholds) vs the host's fixed thresholds; median
#      step wall and CPU time of the first round (a fresh process), and the process's minor page faults.
#   B. threads under a competing load: a second training process runs throughout; 1 thread vs 2 threads with the host's
#      short OpenMP spinning vs 2 threads with libgomp's default spinning (DIFFUSION_OMP_WAIT=system) vs no spinning
#      (OMP_WAIT_POLICY=PASSIVE).
#   C. OpenMP spinning at 2 threads, quiet and then under a competing load: the training step of the peer benchmark's
#      loop (Release build) at 1 thread and at 2 threads with GOMP_SPINCOUNT 1000 (the host's), 10000, 100000 and
#      libgomp's default; median step of 30 (5 discarded) per fresh process. Not part of "all".
# Usage: [ROUNDS=3] [STEPS=20] tools/bench-host.sh [a|b|c|all]   (build first: dotnet build Diffusion.Framework.sln;
#        for c: dotnet build -c Release tools/Diffusion.Bench.Training)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench="dotnet tools/Diffusion.Bench.Training/bin/Debug/net10.0/Diffusion.Bench.Training.dll"
part=${1:-all}
rounds=${ROUNDS:-3}
steps=${STEPS:-20}
grep -m1 "model name" /proc/cpuinfo; echo "cores: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"

one() { # label, env assignments..., then -- and bench args
  local label=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local out
  out=$(env "${envs[@]}" /usr/bin/time -f "faults %R" $bench overhead --steps "$steps" --rounds 1 --warmup 3 "$@" 2>&1)
  local line faults
  line=$(grep -m1 "round 1:" <<<"$out" | sed 's/^ *//')
  faults=$(grep -m1 "^faults" <<<"$out" | awk '{print $2}')
  printf '%-28s %s; minor page faults %s\n' "$label" "$line" "$faults"
}

if [ "$part" = c ]; then
  release=tools/Diffusion.Bench.Training/bin/Release/net10.0/Diffusion.Bench.Training
  spin() { # label, threads, env assignments...
    local label=$1 threads=$2; shift 2
    env "$@" $release peer --pipeline pipelines/quickstart.yaml --threads "$threads" --steps 30 --warmup 5 --samples 8 --sample-steps 5 2>&1 \
      | grep '^{' | /usr/bin/python3 -c "import sys, json; r = json.loads(sys.stdin.read()); print('%-34s median %.1f ms (min %.1f, max %.1f)' % ('$label', r['train_step_median_s'] * 1e3, r['train_step_min_s'] * 1e3, r['train_step_max_s'] * 1e3))"
  }
  sweep() {
    spin "1 thread" 1 DIFFUSION_OMP_WAIT=
    spin "2 threads, GOMP_SPINCOUNT=1000 (host)" 2 DIFFUSION_OMP_WAIT=
    spin "2 threads, GOMP_SPINCOUNT=10000" 2 GOMP_SPINCOUNT=10000
    spin "2 threads, GOMP_SPINCOUNT=100000" 2 GOMP_SPINCOUNT=100000
    spin "2 threads, libgomp default" 2 DIFFUSION_OMP_WAIT=system
  }
  echo "C. quiet (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for r in $(seq "$rounds"); do sweep; done
  $release overhead --steps 100000 --rounds 1 --warmup 0 >/dev/null 2>&1 &
  competitor=$!
  trap 'kill $competitor 2>/dev/null || true' EXIT
  sleep 20
  echo "C. while a second training process runs (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for r in $(seq "$rounds"); do sweep; done
  exit 0
fi

if [ "$part" != b ]; then
  echo "A. allocator (pipeline vs hand-written loop in one fresh process, $steps steps, 3 discarded)"
  for r in $(seq "$rounds"); do
    one "glibc dynamic (system)" DIFFUSION_MALLOC=system --
    one "fixed thresholds (host)" DIFFUSION_MALLOC= --
  done
fi

if [ "$part" != a ]; then
  echo "B. threads while a second training process runs (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  $bench overhead --steps 100000 --rounds 1 --warmup 0 >/dev/null 2>&1 &
  competitor=$!
  trap 'kill $competitor 2>/dev/null || true' EXIT
  sleep 20
  for r in $(seq "$rounds"); do
    one "1 thread" DIFFUSION_OMP_WAIT= -- --set threads=1
    one "2 threads, short spinning" DIFFUSION_OMP_WAIT= -- --set threads=2
    one "2 threads, libgomp default" DIFFUSION_OMP_WAIT=system -- --set threads=2
    one "2 threads, passive" OMP_WAIT_POLICY=PASSIVE -- --set threads=2
  done
fi
