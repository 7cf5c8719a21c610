#!/usr/bin/env bash
# LoRA against a full fine-tune on the same target (docs/benchmarks.md, "LoRA"): trains the lora-finetune base once,
# then adapts it to circles twice from the same checkpoint, with adapters and with every weight, each in its own
# process under /usr/bin/time (peak RSS). Prints each run's lora/* metrics. Usage: tools/bench-lora.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/bench-lora}"
rm -rf "$out"; mkdir -p "$out"
cli=(nice dotnet tools/Diffusion.Cli/bin/Debug/net10.0/diffusion.dll)
db="$out/runs/tracking.db"
"${cli[@]}" run pipelines/lora-finetune.yaml --db "$db" --set stages.lora.steps=0 > "$out/base.log" 2>&1
base=$(ls -d "$out"/runs/*/checkpoints/train/step-00000600 | head -1)/ema.safetensors
for mode in lora full; do
  /usr/bin/time -v "${cli[@]}" run pipelines/lora-finetune.yaml --db "$db" \
    --set stages.train.steps=0 --set stages.train.init_from="$base" --set stages.lora.full_finetune=$([ $mode = full ] && echo true || echo false) \
    > "$out/$mode.log" 2> "$out/$mode.time"
  echo "== $mode: peak RSS $(grep 'Maximum resident' "$out/$mode.time" | awk '{print $6}') kB"
  "${cli[@]}" runs show "$(ls -t "$out"/runs | grep -v tracking | head -1)" --db "$db" 2>/dev/null | grep -E "lora/|sample" || true
done
