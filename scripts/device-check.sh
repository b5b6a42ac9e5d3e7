#!/usr/bin/env bash
# The GPU checks for a machine with a real GPU (the `device` tool sometimes lends one with an
# NVIDIA H200). One prepared script, run with a time limit; results go to $OUT (or ./device-out):
#   1. the CLI on webgpu (Dawn on the real adapter): all 14 variants at N = 4096 and 16384;
#   2. the view's GPU lane in headless Chromium on the real adapter: the same lengths.
# Per-variant times are printed as a table at the end and kept as JSON. Never part of CI.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/device-out}
mkdir -p "$OUT"
log() { printf '\n== %s\n' "$*"; }

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$OUT/gpu.txt" || true
node --version

log "install and build"
[ -d node_modules ] || npm ci --no-audit --no-fund > "$OUT/install.log" 2>&1 || { echo "npm ci failed (see install.log)"; exit 1; }
node scripts/build.mjs > "$OUT/build.log" 2>&1 || { echo "build failed (see build.log)"; exit 1; }

ids() { node -e "process.stdout.write(Array.from({ length: $1 }, (_, i) => (i * 7919) % 50000).join(','))"; }

log "1. CLI on webgpu (Dawn)"
node bin/attention-profiler.js profile --ids "$(ids 8)" --backend webgpu --variants full --time-budget-ms 0 > "$OUT/cli-probe.txt" 2>&1
head -3 "$OUT/cli-probe.txt"
for n in 4096 16384; do
  timeout 600 node bin/attention-profiler.js profile --ids "$(ids "$n")" --backend webgpu --time-budget-ms 0 \
    --memory-budget-mib 16384 --json "$OUT/cli-webgpu-$n.json" > "$OUT/cli-webgpu-$n.txt" 2>&1
  echo "N=$n exit $?"; sed -n '1,22p' "$OUT/cli-webgpu-$n.txt"
done

log "2. the view's GPU lane in headless Chromium on the real adapter"
timeout 900 node --import tsx test/device/view-lane.ts "$OUT" 4096 16384 2>&1 | tee "$OUT/view-lane.txt"

log "results in $OUT"
ls -la "$OUT"
