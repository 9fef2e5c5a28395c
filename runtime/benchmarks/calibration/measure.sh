#!/usr/bin/env bash
# Calibrates the tiny and the ~100M generated models on this machine, validates each calibrated profile on its
# held-out workload under two schedulers x two batchers, and repeats a quick calibration twice (noise).
#   runtime/benchmarks/calibration/measure.sh OUT [TINY_SECONDS] [SMALL_SECONDS] [quick|full]
# (the last: the ~100M model's grid; default quick, full on a quiet machine with SMALL_SECONDS of 600 or so)
# Each calibration also times the engine's own steps (--engine-seconds: 15 s tiny, 60 s small) and writes the engine overhead;
# OUT/profiles/NAME-table-only.yaml is the same profile without it, and every validation is repeated with it against
# the same real run (OUT/val/CELL-table-only), so the term's effect is read apart from the real run's noise; so is
# OUT/profiles/NAME-planes.yaml, the table without its token-count factors (OUT/val/CELL-planes).
# Each validation runs the model REPEATS times (env REPEATS, default 3) and compares with the median
# of the real runs, reporting their spread (the real world's own noise) beside each error.
# VALIDATE_ONLY=1 skips the calibrations and the noise check and validates with the profiles and models already in OUT.
# SERVELAB (default ./servelab) is the command that runs the CLI. Results: OUT/profiles, OUT/val/*/validation.md.
set -u
OUT=${1:?usage: measure.sh OUT [TINY_SECONDS] [SMALL_SECONDS] [quick|full]}; ST=${2:-120}; SS=${3:-60}
SMALL_GRID=${4:-quick}; GRID_FLAG=(--quick); [[ $SMALL_GRID == full ]] && GRID_FLAG=()
SL=${SERVELAB:-./servelab}
REPEATS=${REPEATS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/models"
quiet() { grep -v "WARNING\|fault\|servelab calibrate:\|servelab validate:"; }
echo "== start $(date -u) $(uptime)"
if [[ -z ${VALIDATE_ONLY:-} ]]; then
$SL calibrate --generate tiny --model "$OUT/models/tiny.gguf" --threads 2 --seconds "$ST" --engine-seconds 15 --out "$OUT/profiles/tiny.yaml" 2>&1 | quiet
echo "== tiny calibrated $(date -u) $(uptime)"
# the ~100M model's full grid takes over a minute per round on two cores: the quick grid fits a short window
$SL calibrate --generate small --model "$OUT/models/small.gguf" --threads 2 "${GRID_FLAG[@]}" --seconds "$SS" --engine-seconds 60 --out "$OUT/profiles/small.yaml" 2>&1 | quiet
echo "== small calibrated $(date -u) $(uptime)"
for m in tiny small; do # the table alone: the profile as calibrate wrote it before the engine overhead existed
  grep -v '^  overhead_' "$OUT/profiles/$m.yaml" > "$OUT/profiles/$m-table-only.yaml"
done
fi
for m in tiny small; do # the planes alone: the table without its token-count factors (measured: is the last section)
  { grep -v '^  token_factors' "$OUT/profiles/$m-table-only.yaml"; echo "  token_factors: false"; } > "$OUT/profiles/$m-planes.yaml"
done
for m in tiny small; do
  for s in fcfs sjf; do
    for b in continuous chunked-prefill; do
      echo "== validate $m $s $b $(date -u) $(uptime)"
      $SL validate "$HERE/validate-$m.yaml" --model "$OUT/models/$m.gguf" --profile "$OUT/profiles/$m.yaml" \
        --repeats "$REPEATS" --set plugins.scheduler.name=$s --set plugins.batcher.name=$b --out "$OUT/val/$m-$s-$b" 2>&1 | quiet
      REAL=(); for d in "$OUT/val/$m-$s-$b"/real*/; do REAL+=(--real "${d%/}"); done
      $SL validate "$HERE/validate-$m.yaml" "${REAL[@]}" --profile "$OUT/profiles/$m-table-only.yaml" \
        --set plugins.scheduler.name=$s --set plugins.batcher.name=$b --out "$OUT/val/$m-$s-$b-table-only" 2>&1 | quiet
      $SL validate "$HERE/validate-$m.yaml" "${REAL[@]}" --profile "$OUT/profiles/$m-planes.yaml" \
        --set plugins.scheduler.name=$s --set plugins.batcher.name=$b --out "$OUT/val/$m-$s-$b-planes" 2>&1 | quiet
    done
  done
done
if [[ -z ${VALIDATE_ONLY:-} ]]; then
echo "== noise $(date -u) $(uptime)"
for k in 1 2; do
  $SL calibrate --model "$OUT/models/tiny.gguf" --threads 2 --quick --out "$OUT/noise/tiny-quick-$k.yaml" 2>&1 | quiet
done
fi
echo "== end $(date -u) $(uptime)"
