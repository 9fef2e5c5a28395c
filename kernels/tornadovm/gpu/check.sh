#!/usr/bin/env bash
# The whole GPU check in one call, on a machine that has only the working tree and the archive pack.sh made
# (kernels/tornadovm/gpu/pack/servelab-gpu.tar.xz): no Java, no network. Writes everything to OUT:
#   device.txt        nvidia-smi, the JDK, TornadoVM's device list
#   junit/            the TornadoVM module's tests (every device kernel against its CPU reference), one JVM a class
#   decode-F16.jsonl  DecodeBenchmark: tokens/s per batch on a generated random-weight model, a file per format
#   torch.jsonl       the same model (F16) decoded by a few lines of PyTorch eager, batch 1 and 32
#   run/              a `servelab run` of a shared trace slice on the tornadovm backend (Arrow results, run.json)
#   run-cpu/          the same run on cpu-vector, whose generated tokens summary.md compares with run/'s
#   junit/            the TornadoVM module's tests (every device kernel against its CPU reference), one JVM a class
#   steps.tsv         each step's exit status, seconds and limit; summary.md the figures side by side
# Each step has a time limit and a failed step does not stop the others; the whole check keeps to BUDGET seconds
# (steps.sh), the steps in the order of what a GPU run is for: the decode figures and PyTorch first, the kernel tests
# last.
#
#   kernels/tornadovm/gpu/check.sh OUT
# Env (for rehearsals on a small machine): SHAPE (1b | small | DIM,LAYERS,HEADS,KV_HEADS,FFN; default 1b),
# BATCHES (1,8,32,128), TORCH_BATCHES (1,32), FORMATS (F16,Q8_0), STEPS (32), PROMPT (32), BACKEND (ptx when
# nvidia-smi works, else opencl), DEVICE (TornadoVM BACKEND:DEVICE index, default 0:0), PACK (the archive's
# folder), WORK (where it is unpacked, default /tmp/servelab-gpu), TIME_SCALE (multiplies every step's limit),
# BUDGET (seconds for the whole check, default 540: a lent machine runs one command for 10 minutes at most),
# LONG_PROMPT (off by default; e.g. 1900: F16 decode at batch 1 and 8 over contexts that long, with the attention split
# across work-groups and unsplit, into decode-long-16.jsonl and decode-long-1.jsonl; prompt + STEPS + 2 must fit the
# shape's 2,048-position context).
set -uo pipefail
[[ $# -eq 1 ]] || { echo "usage: check.sh OUT" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
PACK=${PACK:-$ROOT/kernels/tornadovm/gpu/pack}
WORK=${WORK:-/tmp/servelab-gpu}
SHAPE=${SHAPE:-1b} BATCHES=${BATCHES:-1,8,32,128} TORCH_BATCHES=${TORCH_BATCHES:-1,32} FORMATS=${FORMATS:-F16,Q8_0}
STEPS=${STEPS:-32} PROMPT=${PROMPT:-32} DEVICE=${DEVICE:-0:0}
if [[ -z ${BACKEND:-} ]]; then BACKEND=$(nvidia-smi -L >/dev/null 2>&1 && echo ptx || echo opencl); fi

source "$ROOT/kernels/tornadovm/gpu/steps.sh"

rm -rf "$WORK" && mkdir -p "$WORK/models"
tar -xJf "$PACK/servelab-gpu.tar.xz" -C "$WORK" 2>/dev/null \
  || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$PACK/servelab-gpu.tar.xz" "$WORK" \
  || { echo "check: cannot unpack $PACK/servelab-gpu.tar.xz" >&2; exit 1; }
JAVA=$WORK/jdk/bin/java
SDK=$WORK/tornadovm
S=$WORK/servelab
"$ROOT/kernels/tornadovm/gpu/select-backends.sh" "$SDK" "$BACKEND"
FLAGS=("@$SDK/tornado-argfile" "@$ROOT/kernels/tornadovm/jvm-flags" --add-modules=jdk.incubator.vector
       --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
       "-Dservelab.tornado.device=$DEVICE")
CP="$S/kernels/tornadovm/target/$(cd "$S/kernels/tornadovm/target" && ls servelab-kernels-tornadovm-*.jar | head -1):$S/runtime/target/lib/*"

# 1. device info
{
  date -u; echo "backend: $BACKEND, device index $DEVICE"
  nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  "$JAVA" -version 2>&1
  timeout 60 "$JAVA" "${FLAGS[@]}" -m tornado.drivers.common/uk.ac.manchester.tornado.drivers.TornadoDeviceQuery verbose 2>&1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>&1
} > "$OUT/device.txt"

# 2. decode benchmark, a step per format (F16 first, the issue's bandwidth target), and PyTorch eager on the same
# F16 model right after it
IFS=, read -ra formats <<< "$FORMATS"
for format in "${formats[@]}"; do
  step "decode-$format" 300 "$JAVA" "${FLAGS[@]}" -cp "$CP" servelab.kernels.tornado.DecodeBenchmark --shape "$SHAPE" \
    --formats "$format" --batches "$BATCHES" --prompt "$PROMPT" --steps "$STEPS" --dir "$WORK/models" \
    --out "$OUT/decode-$format.jsonl" --keep true
  if [[ $format == F16 && -f $WORK/models/decode-F16.gguf ]]; then
    step torch 180 python3 "$ROOT/kernels/tornadovm/gpu/torch_decode.py" "$WORK/models/decode-F16.gguf" \
      --batches "$TORCH_BATCHES" --prompt "$PROMPT" --steps "$STEPS" --out "$OUT/torch.jsonl"
  fi
  rm -f "$WORK/models/decode-$format.gguf"
done

# 3. servelab run of a shared trace slice on the tornadovm backend (the whole forward on the device; Q8_0), and the
# same run on cpu-vector: summary.md compares their generated tokens request by request
cp "$ROOT/kernels/tornadovm/gpu/trace-slice.yaml" "$WORK/"   # beside trace.csv, which it names
step run-model 120 "$JAVA" "${FLAGS[@]}" -cp "$CP" servelab.kernels.tornado.DecodeBenchmark --shape 256,4,8,4,768 \
  --formats Q8_0 --write "$WORK/models/run.gguf"
for backend in tornadovm cpu-vector; do
  dir=run; [[ $backend == cpu-vector ]] && dir=run-cpu
  step "servelab-run-$backend" 240 "$JAVA" "${FLAGS[@]}" -XX:+UseParallelGC "-Dservelab.home=$S" "-Dservelab.cwd=$WORK" \
    -cp "$S/runtime/target/servelab-runtime.jar:$CP" servelab.runtime.cli.Main run "$WORK/trace-slice.yaml" \
    --model "$WORK/models/run.gguf" --plugins-dir "$S/target/plugins" --out "$OUT/$dir" --allow-failures --quiet \
    --set model.backend=$backend
done

# 4. opt-in: split attention (flash-decoding) against unsplit over long contexts (models in a folder
# of their own)
if [[ ${LONG_PROMPT:-0} -gt 0 ]]; then
  for splits in 16 1; do
    step "decode-long-$splits" 300 "$JAVA" "${FLAGS[@]}" "-Dservelab.tornado.attentionSplits=$splits" -cp "$CP" \
      servelab.kernels.tornado.DecodeBenchmark --shape "$SHAPE" --formats F16 --batches 1,8 --prompt "$LONG_PROMPT" \
      --steps "$STEPS" --dir "$WORK/models/long" --out "$OUT/decode-long-$splits.jsonl"
  done
fi

# 5. kernel tests against the CPU references, one JVM per class (as the module's surefire runs them)
# (the quickest first: on PoCL 2, 7, 8, 43 and 77 s)
for test in TornadoKernelsTest ForwardOnDeviceTest DeviceKernelsTest DeviceForwardTest DeepForwardTest; do
  # on the JVM's class path, not the launcher's --class-path: TornadoVM reads kernel class files through the
  # system class loader
  step "test-$test" 240 "$JAVA" "${FLAGS[@]}" \
    -cp "$S/junit/junit-platform-console-standalone-1.14.4.jar:$S/kernels/tornadovm/target/test-classes:$CP" \
    org.junit.platform.console.ConsoleLauncher execute --select-class "servelab.kernels.tornado.$test" \
    --reports-dir "$OUT/junit/$test" --disable-banner --details=summary
done

# 6. summary
python3 "$ROOT/kernels/tornadovm/gpu/summary.py" "$OUT" > "$OUT/summary.md" 2> "$OUT/summary.log"
cat "$OUT/summary.md"
