#!/bin/bash
# Sharded sampling on Slurm: one array task per shard, one GPU each, then a merge job that runs
# when every task succeeded (README: "Sharded sampling"). From the repository root, after
# `pnpm install && pnpm build` on a shared filesystem:
#
#   sbatch docs/sharding/slurm-array.sh                    # N, SEED, OUT overridable: N=50000 sbatch …
#
# The script submits its own merge job (afterok on the whole array) when it starts as task 0.
#SBATCH --job-name=onnx-ddpm-sample
#SBATCH --array=0-15
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail

N=${N:-50000}
SEED=${SEED:-0}
OUT=${OUT:-runs/shards-$SLURM_ARRAY_JOB_ID}
MODEL=${MODEL:-models/fashion-mnist.onnx}
SHARDS=$SLURM_ARRAY_TASK_COUNT
CLI="node packages/cli/dist/main.js"
mkdir -p "$OUT"

if [ "$SLURM_ARRAY_TASK_ID" -eq 0 ]; then
  # Shards are listed explicitly (not a glob), so a missing one is a clear merge error.
  shards=$(for i in $(seq 0 $((SHARDS - 1))); do printf '%s ' "$OUT/shard-$i.npy"; done)
  sbatch --dependency="afterok:$SLURM_ARRAY_JOB_ID" --job-name=onnx-ddpm-merge --output="$OUT/merge.out" \
    --wrap="$CLI merge $shards --out $OUT/all.npy --out $OUT/all.png"
fi

$CLI sample --model "$MODEL" --n "$N" --seed "$SEED" --method ddim --steps 50 --ep cuda \
  --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --save-npy "$OUT/shard-$SLURM_ARRAY_TASK_ID.npy"
