# Sourced by check.sh: its steps, run under one time budget for the whole check.
#
# A lent GPU machine runs one command for at most 10 minutes, and the check has to leave its summary behind
# within that, whatever a step costs there (model generation and TornadoVM's compilation were never timed on a
# GPU). So each step's limit is its own (times TIME_SCALE) or what is left of BUDGET less RESERVE (kept for the
# summary), whichever is less, and a step that would get less than MIN_STEP seconds is not started: steps.tsv says
# "skipped" for it. check.sh runs the steps in the order of what a GPU run is for (the decode figures first).
#
# Needs OUT (the output folder); reads BUDGET (seconds for the whole check, from when this file is sourced;
# default 540), RESERVE (default 20), MIN_STEP (default 30), TIME_SCALE (default 1).

BUDGET=${BUDGET:-540} RESERVE=${RESERVE:-20} MIN_STEP=${MIN_STEP:-30} TIME_SCALE=${TIME_SCALE:-1}
CHECK_START=$SECONDS
echo -e "step\texit\tseconds\tlimit" > "$OUT/steps.tsv"

step() {   # step NAME LIMIT_S COMMAND...: runs COMMAND with its output in OUT/NAME.log
  local name=$1 limit=$(( $2 * TIME_SCALE )) start=$SECONDS rc left
  shift 2
  left=$(( BUDGET - RESERVE - (SECONDS - CHECK_START) ))
  if (( left < limit )); then limit=$left; fi
  if (( limit < MIN_STEP )); then
    echo "check: $name skipped (${left}s left of the ${BUDGET}s budget)" >&2
    echo -e "$name\tskipped\t0\t$limit" >> "$OUT/steps.tsv"
    return 0
  fi
  echo "check: $name (limit ${limit}s)" >&2
  rc=0
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1 || rc=$?
  echo -e "$name\t$rc\t$(( SECONDS - start ))\t$limit" >> "$OUT/steps.tsv"
  [[ $rc -eq 0 ]] || echo "check: $name failed (exit $rc, see $OUT/$name.log)" >&2
  return 0
}
