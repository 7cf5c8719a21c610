#!/usr/bin/env bash
# The dashboard benchmark of docs/benchmarks.md (issue 19): the runs page over 10,000 runs x 1,000 metric rows (server
# time of the first page, the browser's time to a drawn table) and a run page with a 50,000-point curve.
# Usage: tools/bench-ui.sh. Needs /usr/bin/chromium. The database is made once (minutes) at $BENCH_DIR/tracking.db and
# reused. Run it on an otherwise idle machine; it builds Debug, as the other benchmarks do.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-${TMPDIR:-/tmp}/diffusion-bench-ui}
mkdir -p "$work"
dotnet build tests/Diffusion.Ui.Tests -v q -nologo >/dev/null
DIFFUSION_BENCH=1 DIFFUSION_BENCH_DB="$work/tracking.db" dotnet test tests/Diffusion.Ui.Tests --no-build \
  --filter "FullyQualifiedName~DashboardBenchmarks" --logger "console;verbosity=detailed" | grep -E "^ *dashboard: " | sed 's/^ *//'
