#!/usr/bin/env bash
# Builds throwaway consumer projects against the installed dl4j-interpret-core (run `mvn install -DskipTests`
# first) and checks the ND4J backend each one gets, as README "Backends" promises:
#   default  - exactly one CPU natives jar (oneDNN on Linux x86-64), and saliency runs on a tiny network;
#   plain    - the README's recipe for the plain CPU backend: exactly the plain natives jar, and it runs too;
#   cuda     - the README's CUDA recipe: exactly the cuDNN natives jar and no CPU natives (it compiles; running it
#              needs a GPU).
# Usage: bash tools/consumer/check.sh   (exit 0 when all three hold)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the project's version: the first <version> of the root pom (the parent's own)
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$here/../../pom.xml" | head -1)"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dstyle.color=never"

# check NAME ARTIFACT EXPECTED-CLASSIFIER REFUSED-PATTERN RUN(yes|no)
check() {
  local name="$1" artifact="$2" expect="$3" refuse="$4" run="$5"
  local dir="$work/$name"
  mkdir -p "$dir/src/main/java/consumer"
  sed "s/@VERSION@/$version/" "$here/$name.pom.xml" > "$dir/pom.xml"
  cp "$here/Main.java" "$dir/src/main/java/consumer/Main.java"
  (cd "$dir" && mvn -B -q dependency:list -DoutputFile=deps.txt -DincludeGroupIds=org.nd4j)
  local natives
  # every natives jar of either backend (a classifier starting with the OS name)
  natives="$(grep -oE 'org.nd4j:nd4j-(native|cuda-[0-9.]+):jar:[a-z][a-z0-9_-]*:' "$dir/deps.txt" | sed 's/:$//' \
    | sort -u)"
  echo "$name consumer gets: $(echo "$natives" | tr '\n' ' ')"
  if [ "$(echo "$natives" | wc -l)" -ne 1 ] || ! echo "$natives" | grep -qx "org.nd4j:$artifact:jar:$expect"; then
    echo "FAIL: $name consumer should get exactly org.nd4j:$artifact:jar:$expect" >&2
    exit 1
  fi
  if grep -q "$refuse" "$dir/deps.txt"; then
    echo "FAIL: $name consumer still gets $refuse" >&2
    exit 1
  fi
  if [ "$run" = no ]; then
    (cd "$dir" && mvn -B -q compile)
    return
  fi
  (cd "$dir" && mvn -B -q compile exec:java -Dexec.mainClass=consumer.Main) | tee "$dir/run.txt"
  grep -q "saliency ok" "$dir/run.txt" || { echo "FAIL: $name consumer did not run" >&2; exit 1; }
}

check default nd4j-native linux-x86_64-onednn "nd4j-native:jar:linux-x86_64:" yes
check plain nd4j-native linux-x86_64 "onednn" yes
check cuda nd4j-cuda-11.6 linux-x86_64-cudnn "nd4j-native:" no
echo "consumer check passed"
