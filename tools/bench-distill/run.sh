#!/usr/bin/env bash
# Distillation and LoRA figures at a reduced budget (docs/benchmarks.md, "Distillation and LoRA"): an 8x8 shapes
# teacher (UNet base 16) trained for TEACHER_STEPS, consistency-distilled for DISTILL_STEPS, the student scored at 1, 2
# and 4 steps against the teacher at 50 DDIM steps; then LoRA against a full fine-tune of the teacher on one class
# (circles), each in its own process under /usr/bin/time. Usage: tools/bench-distill/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/tmp/bench-distill}"
rm -rf "$out"; mkdir -p "$out"
cli=(nice dotnet tools/Diffusion.Cli/bin/Debug/net10.0/diffusion.dll)
db="$out/runs/tracking.db"
small=(--set components.data.image_size=8 --set components.model.base_channels=16 --set 'components.model.attention_resolutions=[4]' --set components.model.groups=4)
newest() { ls -t "$out/runs" | grep -v tracking | head -1; }
metrics() { "${cli[@]}" runs show "$(newest)" --db "$db" --json > "$out/$1.json"; }
start=$(date +%s)
"${cli[@]}" run pipelines/distill.yaml --db "$db" "${small[@]}" --set stages.train.steps="${TEACHER_STEPS:-400}" \
  --set stages.distill.steps="${DISTILL_STEPS:-200}" --set stages.sample.steps=1 > "$out/distill.log" 2>&1
metrics distill
run=$(newest)
teacher=$(ls -d "$out/runs/$run/checkpoints/train/step-"* | tail -1)/ema.safetensors
student=$(ls -d "$out/runs/$run/checkpoints/distill/step-"* | tail -1)/model.safetensors
echo "teacher+distill run: $(( $(date +%s) - start )) s"
score() { # NAME WEIGHTS SAMPLER STEPS [--set ...]
  sed "s|WEIGHTS|$2|" tools/bench-distill/score.yaml > "$out/score.yaml"
  "${cli[@]}" run "$out/score.yaml" --db "$db" --set stages.sample.sampler="$3" --set stages.sample.steps="$4" "${@:5}" > "$out/$1.log" 2>&1
  metrics "$1"
  echo "$1: $(grep -o '"eval/fd-pixels"[^}]*' "$out/$1.json" | head -1)"
}
score teacher-50 "$teacher" ddim 50
# The student of the epsilon teacher predicts v (the distill stage's student_prediction: auto).
v=(--set components.noise.prediction_type=v_prediction --set components.consistency.prediction_type=v_prediction)
for k in 1 2 4; do score "student-$k" "$student" consistency "$k" "${v[@]}"; done
score teacher-4 "$teacher" ddim 4
for mode in lora full; do
  /usr/bin/time -v "${cli[@]}" run pipelines/lora-finetune.yaml --db "$db" "${small[@]}" --set stages.train.steps=0 --set stages.train.init_from="$teacher" \
    --set stages.lora.steps="${LORA_STEPS:-100}" --set stages.lora.full_finetune=$([ $mode = full ] && echo true || echo false) > "$out/$mode.log" 2> "$out/$mode.time"
  metrics "$mode"
  echo "$mode: peak RSS $(grep 'Maximum resident' "$out/$mode.time" | awk '{print $6}') kB"
done
echo "total $(( $(date +%s) - start )) s"
