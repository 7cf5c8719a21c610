#!/usr/bin/env bash
# The tracking benchmarks of docs/benchmarks.md (issues 8 and 17), on SQLite and PostgreSQL side by side:
#   insert       metric rows per second through one recorder (PostgreSQL: batched binary COPY)
#   concurrency  8 processes x 10,000 metrics at once, rows lost
#   search       10,000 runs x 1,000 metric rows: in-process searches, then 'diffusion runs list --filter' timed whole
#   sweep        64 tiny trials with 4 workers: trials per minute
# Usage: tools/bench-tracking.sh [insert|concurrency|search|sweep|all] (default all). Needs DIFFUSION_TEST_POSTGRES:
#   eval "$(tools/postgres-test-server.sh start)"
# Run it on an otherwise idle machine; it builds Debug, as the other benchmarks do.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DIFFUSION_TEST_POSTGRES:?set it: eval \"\$(tools/postgres-test-server.sh start)\"}"
what=${1:-all}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/diffusion-bench-tracking}
mkdir -p "$work"
pg_schema() { echo "$DIFFUSION_TEST_POSTGRES$([[ $DIFFUSION_TEST_POSTGRES == *\?* ]] && echo '&' || echo '?')search_path=$1"; }

dotnet build tests/Diffusion.Tracking.Tests -v q -nologo >/dev/null
dotnet build tools/Diffusion.Cli -v q -nologo >/dev/null
cli=(dotnet "$PWD/tools/Diffusion.Cli/bin/Debug/net10.0/diffusion.dll")

bench() { # bench BACKEND TEST [ENV...]
  local backend=$1 test=$2; shift 2
  env DIFFUSION_BENCH=1 DIFFUSION_BENCH_BACKEND="$backend" "$@" dotnet test tests/Diffusion.Tracking.Tests --no-build \
    --filter "FullyQualifiedName~$test" --logger "console;verbosity=detailed" | grep -E "^ *(sqlite|postgres): " | sed 's/^ *//' | sort -u
}

if [[ $what == insert || $what == all ]]; then
  for backend in sqlite postgres; do bench "$backend" Insert_rate_of_one_recorder; done
fi
if [[ $what == concurrency || $what == all ]]; then
  for backend in sqlite postgres; do bench "$backend" Eight_processes_logging_ten_thousand; done
fi
if [[ $what == search || $what == all ]]; then
  sqlite_db="$work/search/tracking.db"
  pg_db=$(pg_schema bench_search)
  bench sqlite Search_over_ten_thousand DIFFUSION_BENCH_DB="$sqlite_db"
  bench postgres Search_over_ten_thousand DIFFUSION_BENCH_DB="$pg_db"
  filter="params.lr < 0.003 AND metrics.\"train/loss\" < 0.5"
  for db in "$sqlite_db" "$pg_db"; do
    for i in 1 2 3; do
      start=$(date +%s.%N)
      "${cli[@]}" runs list --db "$db" --filter "$filter" --order-by 'metrics."train/loss"' >/dev/null
      end=$(date +%s.%N)
      echo "$( [[ $db == postgres* ]] && echo postgres || echo sqlite ): runs list --filter (whole command, run $i): $(echo "$end - $start" | bc) s"
    done
  done
fi
if [[ $what == sweep || $what == all ]]; then
  mkdir -p "$work/sweep"
  cat > "$work/sweep/sweep.yaml" <<'YAML'
name: bench-sweep
seed: 5
device: cpu
components:
  data: { plugin: image, dataset: shapes, image_size: 8, count: 32 }
  model: { plugin: unet2d, base_channels: 4, channel_mults: [1], attention_resolutions: [], groups: 2 }
  noise: { plugin: ddpm, timesteps: 10 }
stages:
  - { name: train, type: train, model: model, data: data, sampler: noise, steps: 2, batch_size: 4, lr: 0.001, checkpoint_every: 0 }
sweep:
  method: random
  objective: train/loss
  trials: 64
  parameters:
    stages.train.lr: { log_uniform: [1.0e-4, 1.0e-2] }
YAML
  for backend in sqlite postgres; do
    rm -rf "$work/sweep/runs-$backend"
    db="$work/sweep/runs-$backend/tracking.db"
    [[ $backend == postgres ]] && db=$(pg_schema "bench_sweep_$(date +%s)")
    start=$(date +%s.%N)
    (cd "$work/sweep" && "${cli[@]}" sweep sweep.yaml --workers 4 --db "$db" --artifacts "runs-$backend" >/dev/null)
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc)
    echo "$backend: sweep of 64 tiny trials with 4 workers: $seconds s wall, $(echo "scale=1; 64 * 60 / $seconds" | bc) trials/min"
  done
fi
