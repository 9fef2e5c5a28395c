#!/usr/bin/env bash
# Builds a TornadoVM SDK for JDK 25 from a TornadoVM source checkout the user points at, without TornadoVM's
# installer (bin/tornadovm-installer, bin/compile), which clones repositories from GitHub and pulls Python packages:
# here only Maven Central and Debian's packages are reachable. What it does instead:
#   - the GraalVM compiler jars come from Maven Central through Maven (dependency:copy), not a Python downloader;
#   - the OpenCL headers come from the system (Debian: opencl-c-headers, pulled in by ocl-icd-opencl-dev), not a clone;
#   - the PTX backend links against libcuda/libnvidia-ml stubs made here when the machine has CUDA's headers but no
#     driver (a build machine without a GPU); the real libraries are loaded on the machine that runs it.
#
#   kernels/tornadovm/build-sdk.sh SRC_DIR OUT_DIR [BACKENDS]
#     SRC_DIR   a TornadoVM checkout, tag v5.2.0-jdk25 (checked); it is built in place (target/, dist/, graalJars/)
#     OUT_DIR   where the SDK goes (replaced); use it as TORNADOVM_HOME
#     BACKENDS  opencl, ptx or opencl,ptx (default: opencl,ptx when CUDA's cuda.h is found, else opencl)
# Needs JAVA_HOME (JDK 25), cmake, g++, python3, OpenCL headers (/usr/include/CL/cl.h). Runs under nice: the build
# is long (about 15 minutes on two cores) and the machine is shared.
set -euo pipefail

die() { echo "build-sdk: $*" >&2; exit 1; }
[[ $# -ge 2 ]] || die "usage: build-sdk.sh SRC_DIR OUT_DIR [opencl|ptx|opencl,ptx]"
SRC=$(cd "$1" && pwd) || die "no such TornadoVM checkout: $1"
OUT=$2
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
BACKENDS=${3:-$([[ -f $CUDA_HOME/include/cuda.h ]] && echo opencl,ptx || echo opencl)}
GRAAL_VERSION=${GRAAL_VERSION:-25.0.2}

[[ -f $SRC/tornado-assembly/pom.xml ]] || die "$SRC is not a TornadoVM checkout (no tornado-assembly/pom.xml)"
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] || die "set JAVA_HOME to a JDK 25"
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' || die "JAVA_HOME ($JAVA_HOME) is not a JDK 25"
for tool in cmake g++ python3; do command -v $tool >/dev/null || die "$tool not found"; done
[[ -f /usr/include/CL/cl.h ]] || die "no OpenCL headers (/usr/include/CL/cl.h): apt-get install ocl-icd-opencl-dev"
MVN=(nice -n 19 "$SRC/mvnw" -B -T1)   # -T1: TornadoVM's .mvn/maven.config asks for 1.5 threads per core

# 1. GraalVM jars, the JIT TornadoVM extends (a stock JDK 25 has none). compiler-management is not on Maven Central
# and only the polyglot build uses it.
mkdir -p "$SRC/graalJars"
for coord in org.graalvm.compiler:compiler org.graalvm.sdk:graal-sdk org.graalvm.truffle:truffle-api \
    org.graalvm.truffle:truffle-compiler org.graalvm.sdk:collections org.graalvm.sdk:word org.graalvm.polyglot:polyglot; do
  jar="$SRC/graalJars/${coord#*:}-$GRAAL_VERSION.jar"
  [[ -f $jar ]] || "${MVN[@]}" -q -f "$SRC/pom.xml" -N dependency:copy -Dartifact="$coord:$GRAAL_VERSION" \
      -DoutputDirectory="$SRC/graalJars" >/dev/null || die "could not fetch $coord:$GRAAL_VERSION from Maven Central"
done

# 2. OpenCL headers where the JNI library's CMakeLists looks for them (headers/include/CL)
headers="$SRC/tornado-drivers/opencl-jni/src/main/cpp/headers/include"
mkdir -p "$headers" && cp -r /usr/include/CL "$headers/"

# 3. PTX: link stubs when no driver is installed (the link line names -lcuda -lnvidia-ml)
profiles=""
IFS=, read -ra list <<< "$BACKENDS"
for b in "${list[@]}"; do
  case $b in opencl|ptx) profiles+="${profiles:+,}$b-backend" ;; *) die "unsupported backend '$b' (opencl, ptx)" ;; esac
done
if [[ ,$BACKENDS, == *,ptx,* ]]; then
  [[ -f $CUDA_HOME/include/cuda.h ]] || die "the ptx backend needs CUDA's headers ($CUDA_HOME/include/cuda.h)"
  stubs="$SRC/target/link-stubs"
  mkdir -p "$stubs"
  for lib in cuda:libcuda.so.1 nvidia-ml:libnvidia-ml.so.1; do
    name=${lib%%:*} soname=${lib#*:}
    if ! ldconfig -p | grep -q "lib$name.so " && [[ ! -f $CUDA_HOME/lib64/stubs/lib$name.so ]]; then
      echo "" | gcc -x c -shared -fPIC -Wl,-soname,$soname -o "$stubs/lib$name.so" -
    fi
  done
  export LIBRARY_PATH="$stubs${LIBRARY_PATH:+:$LIBRARY_PATH}"
  export PATH="$CUDA_HOME/bin:$PATH"
fi

# 4. the Maven build (what bin/compile runs), then the argfile bin/compile would write
variant=$(tr , '\n' <<< "$BACKENDS" | sort | paste -sd-)
echo "tornado.backends=$profiles" > "$SRC/tornado-assembly/src/etc/tornado.backend"
echo "build-sdk: building TornadoVM ($profiles) in $SRC" >&2
(cd "$SRC" && "${MVN[@]}" -Pjdk25,"$profiles" -Dtornado.backend="$variant" -DskipTests -Dcheckstyle.skip package)

sdk=$(find "$SRC/dist" -mindepth 2 -maxdepth 2 -type d -name "tornadovm-*-$variant" | head -1)
[[ -n $sdk ]] || die "the build produced no SDK under $SRC/dist"
rm -rf "$OUT" && mkdir -p "$(dirname "$OUT")" && cp -a "$sdk" "$OUT"
OUT=$(cd "$OUT" && pwd)
echo "tornado.backends=$profiles" > "$OUT/etc/tornado.backend"
rm -f "$OUT/tornado-argfile.template"
(cd "$OUT/bin" && TORNADOVM_HOME=$OUT python3 gen-tornado-argfile-template.py "$BACKENDS" >/dev/null)
[[ -f $OUT/tornado-argfile.template ]] || die "TornadoVM's gen-tornado-argfile-template.py wrote no template in $OUT"
# The JVM flags name the backend modules to load, and a backend whose runtime is missing fails at start-up (PTX
# without NVIDIA's driver: "undefined symbol: cuInit"), so the argfile lists only those this machine can run;
# kernels/tornadovm/gpu/check.sh rewrites it for PTX on a GPU machine (select-backends.sh).
"$(cd "$(dirname "$0")" && pwd)/gpu/select-backends.sh" "$OUT" "${RUNTIME_BACKENDS:-$(ldconfig -p | grep -q 'libcuda.so.1 ' && echo "$BACKENDS" || echo opencl)}"
echo "build-sdk: SDK in $OUT (built: $BACKENDS; enabled: $(cut -d= -f2 "$OUT/etc/tornado.backend")); export TORNADOVM_HOME=$OUT" >&2
