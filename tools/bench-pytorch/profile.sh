#!/usr/bin/env bash
# Where sampling time goes, the project against the PyTorch peer (issue 24, docs/benchmarks.md "Against PyTorch eager"):
# each side runs one training step and then samples SAMPLES images x SAMPLE_STEPS DDPM steps at THREADS threads, twice:
# once under `perf record` (flat profile: the top symbols by self time, library named) and once with oneDNN's verbose
# log (time per primitive kind and implementation). Needs perf (linux-perf) and the peer's packages (python3-torch
# libopenblas0-pthread). Usage: [PIPELINE=pipelines/quickstart.yaml] [THREADS=1] [SAMPLES=64] [SAMPLE_STEPS=50]
# tools/bench-pytorch/profile.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
PIPELINE=${PIPELINE:-pipelines/quickstart.yaml}
THREADS=${THREADS:-1}
OUT=${1:-$(mktemp -d -t bench-profile-XXXXXX)}
command -v perf >/dev/null || { echo "error: perf is not installed: sudo apt-get install -y linux-perf" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "error: /usr/bin/python3 cannot import torch: sudo apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 2; }
mkdir -p "$OUT"
dotnet build -c Release tools/Diffusion.Bench.Training -v q -nologo >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
args=(--pipeline "$PIPELINE" --threads "$THREADS" --steps 1 --warmup 0 --samples "${SAMPLES:-64}" --sample-steps "${SAMPLE_STEPS:-50}")
project=(tools/Diffusion.Bench.Training/bin/Release/net10.0/Diffusion.Bench.Training peer "${args[@]}")
peer=(/usr/bin/python3 tools/bench-pytorch/peer.py "${args[@]}")
for side in project peer; do
  declare -n cmd=$side
  DOTNET_PerfMapEnabled=1 perf record -q -F 999 -o "$OUT/$side.perf" -- "${cmd[@]}" >"$OUT/$side.log" 2>&1
  perf report -i "$OUT/$side.perf" --no-children --sort dso,symbol --percent-limit 0.7 --stdio 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | sed -E 's/ +(- +)*$//' | cut -c1-160 >"$OUT/$side.top"
  DNNL_VERBOSE=1 ONEDNN_VERBOSE=1 "${cmd[@]}" >"$OUT/$side.verbose" 2>&1
  echo "== $side: $(grep '^{' "$OUT/$side.log" | tail -1)"
  echo "-- top symbols (self time):"; head -25 "$OUT/$side.top"
  echo "-- oneDNN primitives (ms, count) by kind and implementation:"
  { grep -E '^(onednn|dnnl)_verbose,(.*,)?exec,' "$OUT/$side.verbose" || true; } | /usr/bin/python3 -c '
import sys, collections
total = collections.defaultdict(lambda: [0.0, 0])
for line in sys.stdin:
    f = line.rstrip().split(",")
    i = f.index("exec")
    key = f[i + 2] + " " + f[i + 3] + " " + f[i + 4]
    total[key][0] += float(f[-1]); total[key][1] += 1
for key, (ms, n) in sorted(total.items(), key=lambda kv: -kv[1][0])[:12]:
    print(f"  {ms:10.1f} ms {n:7d}  {key}")
print(f"  {sum(v[0] for v in total.values()):10.1f} ms in all")'
done
echo "files in $OUT"
