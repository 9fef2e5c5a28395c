#!/usr/bin/env bash
# Enables BACKENDS (opencl, ptx or opencl,ptx) in a TornadoVM SDK built by build-sdk.sh, for the folder it is in now.
# The JVM resolves every backend module it finds on the module path (service binding), and a backend whose runtime
# is missing kills the JVM at start-up (PTX without NVIDIA's driver: "undefined symbol: cuInit"), so the jars of a
# disabled backend move to share/java/tornado-disabled, and tornado-argfile is rewritten from the SDK's
# tornado-argfile.template without that backend's modules, with this folder as TORNADOVM_HOME.
#   select-backends.sh SDK_DIR BACKENDS
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: select-backends.sh SDK_DIR opencl|ptx|opencl,ptx" >&2; exit 1; }
SDK=$(cd "$1" && pwd)
BACKENDS=$2
template=$SDK/tornado-argfile.template
[[ -f $template ]] || { echo "select-backends: no $template (build the SDK with build-sdk.sh)" >&2; exit 1; }
on=$SDK/share/java/tornado off=$SDK/share/java/tornado-disabled
mkdir -p "$off"
argfile=$(sed "s|\${TORNADOVM_HOME}|$SDK|g" "$template")
profiles=""
for backend in opencl ptx; do
  module=tornado.drivers.$backend
  if [[ ,$BACKENDS, == *,$backend,* ]]; then
    profiles+="${profiles:+,}$backend-backend"
    find "$off" -name "tornado-drivers-$backend-*.jar" -exec mv {} "$on/" \;
  else
    find "$on" -name "tornado-drivers-$backend-*.jar" -exec mv {} "$off/" \;
    # drop flags aimed only at the module, and the module from lists of several
    argfile=$(grep -v -E "(=|@.*/)$backend(-exports)?$|=$module$|^--add-reads=$module=" <<< "$argfile" | sed -E "s/,$module(,|$)/\1/g; s/=$module,/=/g")
  fi
done
[[ -n $profiles ]] || { echo "select-backends: no known backend in '$BACKENDS' (opencl, ptx)" >&2; exit 1; }
echo "tornado.backends=$profiles" > "$SDK/etc/tornado.backend"
printf '%s\n' "$argfile" > "$SDK/tornado-argfile"
