#!/usr/bin/env bash
# Longer distillations (docs/benchmarks.md, "Few-step students"): from the teacher that tools/bench-distill/run.sh trained
# in OUT_DIR (run TEACHER_RUN), a progressive student (4 rounds of PD_STEPS) and a consistency student (CD_STEPS), each
# scored like run.sh scores its models, with the teacher on the trailing grid at 4 and 8 steps for reference.
# Usage: TEACHER_RUN=ID [PD_STEPS=1500] [PD_LR_SCHEDULE=cosine|constant] [CD_STEPS=6000] tools/bench-distill/longer.sh [OUT_DIR]
# (CD_STEPS=0 skips the consistency student; PD_FEWER=0 skips distilling the 4-step student on to 2 and 1 steps)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/tmp/bench-distill}"
cli=(nice dotnet tools/Diffusion.Cli/bin/Debug/net10.0/diffusion.dll)
db="$out/runs/tracking.db"
small=(--set components.data.image_size=8 --set components.model.base_channels=16 --set 'components.model.attention_resolutions=[4]' --set components.model.groups=4)
teacher=$(ls -d $out/runs/$TEACHER_RUN/checkpoints/train/step-* | tail -1)/ema.safetensors
newest() { ls -t "$out/runs" | grep -v tracking | head -1; }
score() { # NAME WEIGHTS SAMPLER STEPS [--set ...]
  sed "s|WEIGHTS|$2|" tools/bench-distill/score.yaml > "$out/score.yaml"
  "${cli[@]}" run "$out/score.yaml" --db "$db" --set stages.sample.sampler="$3" --set stages.sample.steps="$4" "${@:5}" > "$out/$1.log" 2>&1
  echo "$1 $(newest) $(grep -o 'eval/fd-pixels = [0-9.]*' "$out/$1.log")"
}
score teacher-4-trailing "$teacher" ddim-trailing 4
score teacher-8-trailing "$teacher" ddim-trailing 8
/usr/bin/time -f "%e s" "${cli[@]}" run pipelines/distill.yaml --db "$db" "${small[@]}" --set stages.train.steps=0 --set stages.train.init_from="$teacher" --set stages.train.ema_decay=0 \
  --set stages.distill.method=progressive --set stages.distill.steps=${PD_STEPS:-1500} --set stages.distill.lr_schedule=${PD_LR_SCHEDULE:-cosine} \
  --set stages.sample.sampler=ddim-trailing --set stages.sample.steps=4 > "$out/pd.log" 2>&1
pd=$(newest); echo "progressive run $pd: $(grep "stage 'distill' done" $out/pd.log)"
student=$(ls -d "$out/runs/$pd/checkpoints/distill/step-"* | tail -1)/model.safetensors
# The students of the epsilon teacher predict v (student_prediction: auto), so the scoring pipeline reads them as v.
v=(--set components.noise.prediction_type=v_prediction --set components.ddim-trailing.prediction_type=v_prediction --set components.consistency.prediction_type=v_prediction)
score pd-4 "$student" ddim-trailing 4 "${v[@]}"
# Further rounds from the 4-step student (now the teacher, read as v): one round to 2 steps, two rounds to 1 step.
if [[ ${PD_FEWER:-1} == 1 ]]; then
  for k in 2 1; do
    "${cli[@]}" run pipelines/distill.yaml --db "$db" "${small[@]}" "${v[@]}" --set stages.train.steps=0 --set stages.train.init_from="$student" --set stages.train.ema_decay=0 \
      --set stages.distill.method=progressive --set stages.distill.steps=${PD_STEPS:-1500} --set stages.distill.lr_schedule=${PD_LR_SCHEDULE:-cosine} \
      --set stages.distill.teacher_steps=4 --set stages.distill.student_steps=$k --set stages.sample.sampler=ddim-trailing --set stages.sample.steps=$k > "$out/pd-to$k.log" 2>&1
    run=$(newest); echo "progressive 4->$k run $run: $(grep "stage 'distill' done" "$out/pd-to$k.log")"
    score pd-$k "$(ls -d "$out/runs/$run/checkpoints/distill/step-"* | tail -1)/model.safetensors" ddim-trailing $k "${v[@]}"
  done
fi
[[ ${CD_STEPS:-6000} == 0 ]] && exit 0 # CD_STEPS=0: the progressive student only
/usr/bin/time -f "%e s" "${cli[@]}" run pipelines/distill.yaml --db "$db" "${small[@]}" --set stages.train.steps=0 --set stages.train.init_from="$teacher" --set stages.train.ema_decay=0 \
  --set stages.distill.steps=${CD_STEPS:-6000} --set stages.sample.steps=4 > "$out/cd.log" 2>&1
cd_=$(newest); echo "consistency run $cd_: $(grep "stage 'distill' done" $out/cd.log)"
student=$(ls -d "$out/runs/$cd_/checkpoints/distill/step-"* | tail -1)/model.safetensors
for k in 1 2 4; do score cd-$k "$student" consistency $k "${v[@]}"; done
