#!/usr/bin/env bash
# The project against PyTorch eager on this CPU (issue 24; docs/benchmarks.md, "Against PyTorch eager"): the training
# step and DDPM sampling of the quickstart and Fashion-MNIST UNets at 1 and 2 threads, the project's hand-written
# TorchSharp loop (Diffusion.Bench.Training peer) against tools/bench-pytorch/peer.py, each run a fresh process, in
# alternating rounds (the side that goes first alternates). Prints one markdown table; ratios are project / PyTorch.
#
#   tools/bench-pytorch/run.sh [ROUNDS]          (default 3 rounds; run it on a quiet machine)
#
# Environment: STEPS (timed training steps per process, default 20), WARMUP (default 5), SAMPLES (default 64),
# SAMPLE_STEPS (default 50), PIPELINES (default "pipelines/quickstart.yaml pipelines/fashion-mnist.yaml"),
# THREADS (default "1 2"), PYTHON (default /usr/bin/python3, Debian's, where python3-torch installs),
# PEER_HOST: "pytorch" (default: PyTorch as Debian ships it, libgomp's default spinning and glibc's malloc defaults)
# or "project" (the peer gets the host settings the project's ProcessSetup applies: GOMP_SPINCOUNT=1000 and fixed
# glibc malloc thresholds), OUT (folder for the raw JSON lines, default a new temporary folder).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
STEPS=${STEPS:-20}
WARMUP=${WARMUP:-5}
SAMPLES=${SAMPLES:-64}
SAMPLE_STEPS=${SAMPLE_STEPS:-50}
PIPELINES=${PIPELINES:-pipelines/quickstart.yaml pipelines/fashion-mnist.yaml}
THREADS=${THREADS:-1 2}
PEER_HOST=${PEER_HOST:-pytorch}
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
APT_HINT="sudo apt-get install -y python3-torch libopenblas0-pthread"

for value in "$ROUNDS" "$STEPS" "$SAMPLES" "$SAMPLE_STEPS"; do
  if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: ROUNDS, STEPS, SAMPLES and SAMPLE_STEPS must be whole numbers >= 1 (got '$value')" >&2
    exit 2
  fi
done
if ! [[ "$WARMUP" =~ ^[0-9]+$ ]]; then echo "error: WARMUP must be a whole number >= 0 (got '$WARMUP')" >&2; exit 2; fi
case "$PEER_HOST" in
  pytorch) PEER_ENV=() ;;
  project) PEER_ENV=(GOMP_SPINCOUNT=1000 "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456") ;;
  *) echo "error: PEER_HOST must be 'pytorch' or 'project' (got '$PEER_HOST')" >&2; exit 2 ;;
esac
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "error: $PYTHON cannot import torch; this benchmark's peer is Debian's PyTorch with an optimised BLAS: $APT_HINT" >&2
  exit 2
fi
for pipeline in $PIPELINES; do
  [[ -f "$pipeline" ]] || { echo "error: $pipeline does not exist (PIPELINES lists pipeline files)" >&2; exit 2; }
done

OUT=${OUT:-$(mktemp -d -t bench-pytorch-XXXXXX)}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

echo "building tools/Diffusion.Bench.Training (Release)..." >&2
dotnet build -c Release tools/Diffusion.Bench.Training -v q -nologo >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
PROJECT=tools/Diffusion.Bench.Training/bin/Release/net10.0/Diffusion.Bench.Training

# Before any timing: the peer's UNet must compute the project's function. The project writes its initial weights and
# one forward pass; the peer loads them by name (every name and shape must match) and compares the outputs.
CHECKS="$OUT/checks.jsonl"
: >"$CHECKS"
for pipeline in $PIPELINES; do
  folder="$OUT/check-$(basename "$pipeline" .yaml)"
  "$PROJECT" peer --pipeline "$pipeline" --check-out "$folder" >"$folder.project.log" 2>&1 \
    || { echo "error: the project side could not write $folder ($folder.project.log):" >&2; tail -20 "$folder.project.log" >&2; exit 1; }
  if ! "$PYTHON" tools/bench-pytorch/peer.py --pipeline "$pipeline" --check "$folder" >"$folder.peer.log" 2>&1; then
    echo "error: peer.py's UNet does not compute the project's for $pipeline ($folder.peer.log):" >&2
    tail -5 "$folder.peer.log" >&2
    exit 1
  fi
  grep '^{' "$folder.peer.log" | tail -1 >>"$CHECKS"
  echo "  $(basename "$pipeline" .yaml): the peer's network matches the project's" >&2
done

# One fresh process of one side; appends its JSON line (with the round) to the results.
run_side() {
  local side=$1 pipeline=$2 threads=$3 round=$4 log line
  local args=(--pipeline "$pipeline" --threads "$threads" --steps "$STEPS" --warmup "$WARMUP" --samples "$SAMPLES" --sample-steps "$SAMPLE_STEPS")
  log="$OUT/$side-$(basename "$pipeline" .yaml)-t$threads-r$round.log"
  if [[ $side == project ]]; then
    "$PROJECT" peer "${args[@]}" >"$log" 2>&1 || { echo "error: the project side failed ($log):" >&2; tail -20 "$log" >&2; exit 1; }
  else
    env "${PEER_ENV[@]}" "$PYTHON" tools/bench-pytorch/peer.py "${args[@]}" >"$log" 2>&1 || { echo "error: the peer failed ($log):" >&2; tail -20 "$log" >&2; exit 1; }
  fi
  line=$(grep '^{' "$log" | tail -1)
  [[ -n "$line" ]] || { echo "error: no JSON line in $log" >&2; exit 1; }
  echo "{\"round\": $round, \"result\": $line}" >>"$RESULTS"
  echo "  $(basename "$pipeline" .yaml), $threads thread(s), round $round, $side: done" >&2
}

for pipeline in $PIPELINES; do
  for threads in $THREADS; do
    for ((round = 1; round <= ROUNDS; round++)); do
      if ((round % 2 == 1)); then order=(project peer); else order=(peer project); fi
      for side in "${order[@]}"; do run_side "$side" "$pipeline" "$threads" "$round"; done
    done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

cpu_field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
CPU="$(cpu_field 'model name'), $(cpu_field vendor_id) family $(cpu_field 'cpu family') model $(cpu_field model)"
TORCH_DEB=$(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || echo "not from Debian")
OPENBLAS_DEB=$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo "not installed")
DOTNET_SDK=$(dotnet --version 2>/dev/null || echo "?")
COMMAND="STEPS=$STEPS WARMUP=$WARMUP SAMPLES=$SAMPLES SAMPLE_STEPS=$SAMPLE_STEPS PEER_HOST=$PEER_HOST tools/bench-pytorch/run.sh $ROUNDS"

if [[ $PEER_HOST == project ]]; then PEER_NOTE=" (PEER_HOST=project: the project's host settings)"; else PEER_NOTE=""; fi
export STARTED CPU TORCH_DEB OPENBLAS_DEB DOTNET_SDK COMMAND LOAD_START LOAD_END PEER_NOTE ROUNDS STEPS WARMUP
"$PYTHON" - "$RESULTS" "$CHECKS" <<'PY'
import json, os, statistics, sys
env = os.environ
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
checks = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
project = next(r["result"] for r in rows if r["result"]["side"] == "project")
peer = next(r["result"] for r in rows if r["result"]["side"] == "peer")
print(f"Against PyTorch eager, {env['STARTED']}. CPU: {env['CPU']} ({os.cpu_count()} logical CPUs).")
print(f"Project: {project['framework']} / libtorch {project['torch_version']} ({project['runtime']}, SDK {env['DOTNET_SDK']}), "
      f"BLAS {project['blas']}, oneDNN {project['onednn']}; host: {project['host']}.")
print(f"Peer: {peer['framework']} (Debian python3-torch {env['TORCH_DEB']}, {peer['runtime']}), BLAS {peer['blas']} "
      f"(libopenblas0-pthread {env['OPENBLAS_DEB']}), oneDNN {peer['onednn']}; host: {peer['host']}{env['PEER_NOTE']}.")
print("Same network: the peer loaded the project's initial weights by name, every shape matching, and matched its forward pass on "
      "4 random items: " + "; ".join(f"{os.path.basename(os.path.dirname(c['check'])).removeprefix('check-')} {c['tensors']} tensors, "
                                     f"max |difference| {c['max_abs_diff']:.1e} (outputs up to {c['max_abs_output']:.2f})" for c in checks) + ".")
print(f"Command: `{env['COMMAND']}`. Load average (1/5/15 min) at start {env['LOAD_START']}, at end {env['LOAD_END']}.")
print(f"Each cell: median over {env['ROUNDS']} round(s) [lowest-highest] of each process's median of {env['STEPS']} training steps "
      f"(after {env['WARMUP']} warm-up steps), and of {project['samples']} images x {project['sample_steps']} DDPM steps sampled once per "
      "process (after one 2-step warm-up); ratio = project / PyTorch within a round. Data: the project side trains on the pipeline's "
      "own data, the peer on random tensors of the same shape and count (a step's time does not depend on pixel values).")
print()
print("| model | parameters | threads | project train ms/step | PyTorch train ms/step | train ratio | project sampling s | PyTorch sampling s | sampling ratio |")
print("|---|---|---|---|---|---|---|---|---|")
configs = []
for r in rows:
    key = (r["result"]["pipeline"], r["result"]["threads"])
    if key not in configs:
        configs.append(key)


def span(values, digits):
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


failed = False
for pipeline, threads in configs:
    by_side = {side: {r["round"]: r["result"] for r in rows
                      if (r["result"]["pipeline"], r["result"]["threads"], r["result"]["side"]) == (pipeline, threads, side)}
               for side in ("project", "peer")}
    rounds = sorted(set(by_side["project"]) & set(by_side["peer"]))
    counts = sorted({result["parameters"] for side in by_side.values() for result in side.values()})
    if len(counts) != 1:
        print(f"error: {pipeline}: the parameter counts differ between the sides: {counts}; peer.py no longer matches unet2d", file=sys.stderr)
        failed = True
    train = {s: [by_side[s][k]["train_step_median_s"] * 1000 for k in rounds] for s in by_side}
    samp = {s: [by_side[s][k]["sampling_s"] for k in rounds] for s in by_side}
    train_ratio = [a / b for a, b in zip(train["project"], train["peer"])]
    samp_ratio = [a / b for a, b in zip(samp["project"], samp["peer"])]
    name = pipeline.rsplit("/", 1)[-1].removesuffix(".yaml")
    print(f"| {name} | {' vs '.join(f'{c:,}' for c in counts)} | {threads} | {span(train['project'], 1)} | {span(train['peer'], 1)} | "
          f"{span(train_ratio, 3)} | {span(samp['project'], 2)} | {span(samp['peer'], 2)} | {span(samp_ratio, 3)} |")
print()
print(f"Raw JSON lines: {sys.argv[1]}")
sys.exit(1 if failed else 0)
PY
