#!/usr/bin/env bash
# Reduced-budget benchmark of issue 20 (docs/benchmarks.md, "Latent diffusion and flow matching"): step and sampling
# times of pixel vs latent diffusion on Fashion-MNIST at 64x64, the autoencoder's held-out PSNR/SSIM, and DDPM-eps vs
# flow matching on the quickstart data at 10/20/50 sampling steps. Every number is read back with 'diffusion runs show'.
# Usage: [CLI_DIR=...] [PART=a|b|c|all] [AE_STEPS=300] [TRAIN_STEPS=300] tools/bench-latent/run.sh [OUT_DIR]
# PART=c (not in all; about an hour): the shipped latent pipeline at its full budget (or LATENT_RUN=ID of such a run in
# OUT_DIR), its UNet checkpoints scored (CHECKPOINTS="500 1000"), then the pixel twin trained for PIX_STEPS steps,
# every model sampled and scored as the shipped pipeline does (SAMPLES=500 samples, 20 steps, fd and class accuracy).
# The pixel twin's step takes ~40x the latent UNet's (10.5 s at batch 64 on 2 cores), and drawing 500 samples with
# guidance ~18 minutes: SAMPLES=100 PIX_STEPS=90 keeps part C near 25 minutes.
# (build first: dotnet build Diffusion.Framework.sln)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/bench-latent}
mkdir -p "$out" && cd "$out"
part=${PART:-all}
# CLI_DIR: a copy of the CLI build folder to run from (so that rebuilding the tree meanwhile does not change the runs)
cli="nice dotnet ${CLI_DIR:-$root/tools/Diffusion.Cli/bin/Debug/net10.0}/diffusion.dll"

if [ "$part" = c ]; then
  if [ -z "${LATENT_RUN:-}" ]; then
    $cli run "$root/pipelines/latent-diffusion.yaml" 2>&1 | tee latent-full.txt
    LATENT_RUN=$(grep -o 'run [0-9a-f]* COMPLETED' latent-full.txt | awk '{print $2}')
  fi
  ae=$(ls -d "$out"/runs/$LATENT_RUN/checkpoints/autoencoder/step-*/ | tail -1)autoencoder.safetensors
  for step in ${CHECKPOINTS:-500 1000}; do
    AE_WEIGHTS=$ae UNET_WEIGHTS=$(printf '%s/runs/%s/checkpoints/train/step-%08d/ema.safetensors' "$out" "$LATENT_RUN" "$step") \
      $cli run "$root/tools/bench-latent/score-latent.yaml" --set stages.sample.count=${SAMPLES:-500} 2>&1 | tee latent-at-$step.txt
  done
  pix=${PIX_STEPS:-200}
  $cli run "$root/tools/bench-latent/pixel-64.yaml" --set stages.train.steps=$pix --set stages.train.warmup_steps=$((pix * 8 / 100)) \
    --set stages.train.checkpoint_every=0 --set stages.sample.count=${SAMPLES:-500} 2>&1 | tee pixel-$pix.txt
  $cli runs list
  exit 0
fi

if [ "$part" != b ]; then
# A. Pixel vs latent: 40 training steps each (batch 64), 64 samples at 20 steps, 1000 training images.
small=(--set components.data.limit=1000 --set components.data.metrics=[fd-pixels] --set stages.train.steps=40
       --set stages.train.warmup_steps=0 --set stages.train.checkpoint_every=0 --set stages.sample.count=64
       --set stages.sample.batch_size=64 --set stages.sample.class_labels=none --set stages.sample.guidance_scale=0
       --set stages.evaluate.loss_items=64)
$cli run "$root/pipelines/latent-diffusion.yaml" "${small[@]}" --set stages.autoencoder.steps=${AE_STEPS:-300} \
  --set stages.autoencoder.checkpoint_every=0 --set stages.autoencoder.eval_items=500 --set stages.autoencoder.scale_items=1000 | tee latent.txt
$cli run "$root/tools/bench-latent/pixel-64.yaml" "${small[@]}" | tee pixel.txt
fi
[ "$part" = a ] && exit 0

# B. DDPM-eps vs flow matching on the quickstart (shapes 16x16, same UNet, 300 training steps each; KINDS="ddpm flow"), fd-pixels of
# 64 samples at 10, 20 and 50 steps: ddim (eta 0) for the eps model, flow-euler for the flow model.
for kind in ${KINDS:-ddpm flow}; do
  # The flow twin is its own file: --set components.noise.plugin=flow-euler would keep DDPM's beta_schedule, which flow-euler refuses.
  if [ $kind = ddpm ]; then pipe=$root/pipelines/quickstart.yaml; sampler=ddim; else pipe=$root/tools/bench-latent/quickstart-flow.yaml; sampler=flow-euler; fi
  for steps in 50 20 10; do
    train=(--set stages.train.steps=${TRAIN_STEPS:-300} --set stages.train.checkpoint_every=0)
    if [ $steps != 50 ]; then train=(--set stages.train.steps=0 --set "stages.train.init_from=$(cat $kind-weights.txt)" --set stages.train.ema_decay=0); fi
    $cli run "$pipe" "${train[@]}" --set components.sampler.plugin=$sampler \
      --set stages.sample.steps=$steps | tee $kind-$steps.txt
    if [ $steps = 50 ]; then
      id=$(grep -o 'run [0-9a-f]* COMPLETED' $kind-50.txt | awk '{print $2}')
      ls -d "$out"/runs/$id/checkpoints/train/step-*/ | tail -1 | sed 's|/$|/ema.safetensors|' > $kind-weights.txt
    fi
  done
done
$cli runs list
