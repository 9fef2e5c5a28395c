#!/usr/bin/env bash
# Packs what a bare GPU machine (driver, CUDA and Python, no Java, no network) needs to run check.sh, into one
# archive in a git-ignored folder that travels with the working tree:
#   - a jlinked JDK 25 with only the modules ServeLab and TornadoVM use,
#   - the TornadoVM SDK at $TORNADOVM_HOME (built by build-sdk.sh with the PTX backend), without its examples,
#     benchmarks, tests and the Graal jars nothing requires,
#   - ServeLab's jars (runtime and its class path, plugin bundles, the TornadoVM module and its test classes with the
#     JUnit console launcher, which bundles JUnit Jupiter) and a slice of a shared trace.
# No model is packed: check.sh generates its random-weight models there.
#
#   TORNADOVM_HOME=... kernels/tornadovm/gpu/pack.sh [PACK_DIR]      (default kernels/tornadovm/gpu/pack)
# Env: SHARED (the shared folder with traces/, default ../shared beside the checkout), PACK_LIMIT_MB (default 56:
# the GPU machine takes 64 MiB in all, the working tree included), SKIP_BUILD=1 (the jars are built already).
set -euo pipefail
die() { echo "pack: $*" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PACK=${1:-$ROOT/kernels/tornadovm/gpu/pack}
SHARED=${SHARED:-$ROOT/../shared}
LIMIT_MB=${PACK_LIMIT_MB:-56}
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.4
[[ -n ${TORNADOVM_HOME:-} && -f $TORNADOVM_HOME/tornado-argfile.template ]] \
  || die "set TORNADOVM_HOME to an SDK built by kernels/tornadovm/build-sdk.sh"
JAVA=$("$ROOT/servelab" --print-java)
JDK=$(dirname "$(dirname "$JAVA")")
export JAVA_HOME=$JDK
ls "$TORNADOVM_HOME"/share/java/tornado*/tornado-drivers-ptx-*.jar >/dev/null 2>&1 \
  || echo "pack: warning: this SDK has no PTX backend; the GPU machine would need NVIDIA's OpenCL" >&2

if [[ ${SKIP_BUILD:-} != 1 ]]; then
  echo "pack: building ServeLab with the TornadoVM module (tests compiled, not run)" >&2
  (cd "$ROOT" && nice -n 10 ./mvnw -B -q -o -Ptornadovm -DskipTests package)
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# 1. JDK: the modules the runtime, Arrow, the TornadoVM drivers (PTX needs java.desktop) and Graal need; not Graal
# itself (the SDK's graalJars upgrade it), uncompressed: xz over the whole archive packs classes far better
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http
modules+=,java.prefs,java.scripting,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.incubator.vector
modules+=,jdk.internal.vm.ci,jdk.jfr,jdk.management
modules+=,jdk.management.agent,jdk.unsupported,jdk.zipfs
"$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
  --output "$STAGE/jdk"

# 2. TornadoVM SDK, trimmed to what a run loads
cp -a "$TORNADOVM_HOME" "$STAGE/tornadovm"
rm -rf "$STAGE/tornadovm/examples" "$STAGE/tornadovm"/*.md "$STAGE/tornadovm"/*.rst
find "$STAGE/tornadovm/share/java" \( -name 'tornado-benchmarks-*' -o -name 'tornado-examples-*' -o -name 'tornado-unittests-*' \
  -o -name 'tornado-fuzz-*' -o -name 'lucene-*' -o -name 'ejml-*' -o -name 'jmh-*' -o -name 'junit-*' -o -name 'hamcrest-*' \
  -o -name 'truffle-api-*' -o -name 'polyglot-*' -o -name 'graal-sdk-*' -o -name 'nativeimage-*' \) -delete

# 3. ServeLab
S=$STAGE/servelab
mkdir -p "$S/runtime/target/lib" "$S/kernels/tornadovm/target" "$S/target/plugins" "$S/junit"
cp "$ROOT"/runtime/target/servelab-runtime.jar "$S/runtime/target/"
cp "$ROOT"/runtime/target/lib/*.jar "$S/runtime/target/lib/"
cp "$ROOT"/target/plugins/*.jar "$S/target/plugins/"
cp "$ROOT"/kernels/tornadovm/target/servelab-kernels-tornadovm-*.jar "$S/kernels/tornadovm/target/"
cp -r "$ROOT"/kernels/tornadovm/target/test-classes "$S/kernels/tornadovm/target/"
console="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar"
[[ -f $console ]] || (cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact=$JUNIT_CONSOLE >/dev/null) \
  || die "could not fetch $JUNIT_CONSOLE from Maven Central"
cp "$console" "$S/junit/"

# 4. a slice of a shared trace for the servelab run
trace=$SHARED/traces/burstgpt/BurstGPT_1.first42rows.csv
[[ -f $trace ]] || die "no shared trace at $trace (set SHARED to the folder holding traces/)"
cp "$trace" "$STAGE/trace.csv"

mkdir -p "$PACK"
rm -f "$PACK"/servelab-gpu.tar.*
tar -C "$STAGE" -cf - . | nice -n 10 xz -T2 -6 > "$PACK/servelab-gpu.tar.xz"
size_mb=$(( $(stat -c %s "$PACK/servelab-gpu.tar.xz") / 1048576 ))
echo "pack: $PACK/servelab-gpu.tar.xz, $size_mb MiB (jdk $(du -sm "$STAGE/jdk" | cut -f1) MiB, tornadovm $(du -sm "$STAGE/tornadovm" | cut -f1) MiB, servelab $(du -sm "$S" | cut -f1) MiB unpacked)" >&2
(( size_mb <= LIMIT_MB )) || die "the archive is $size_mb MiB, over the $LIMIT_MB MiB limit"
