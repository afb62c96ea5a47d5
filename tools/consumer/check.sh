#!/usr/bin/env bash
# Builds throwaway consumer projects against the installed dl4j-interpret-core (run `mvn install -DskipTests`
# first) and checks the ND4J backend each one gets, as README "Backends" promises:
#   default  - exactly one CPU natives jar (oneDNN on Linux x86-64), and saliency runs on a tiny network;
#   plain    - the README's recipe for the plain CPU backend: exactly the plain natives jar, and it runs too.
# Usage: bash tools/consumer/check.sh   (exit 0 when both hold)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the project's version: the first <version> of the root pom (the parent's own)
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$here/../../pom.xml" | head -1)"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dstyle.color=never"

check() {
  local name="$1" expect="$2" refuse="$3"
  local dir="$work/$name"
  mkdir -p "$dir/src/main/java/consumer"
  sed "s/@VERSION@/$version/" "$here/$name.pom.xml" > "$dir/pom.xml"
  cp "$here/Main.java" "$dir/src/main/java/consumer/Main.java"
  (cd "$dir" && mvn -B -q dependency:list -DoutputFile=deps.txt -DincludeGroupIds=org.nd4j)
  local natives
  natives="$(grep -oE 'org.nd4j:nd4j-native:jar:[a-z][a-z0-9_-]*:' "$dir/deps.txt" | sed 's/:$//' | sort -u)"
  echo "$name consumer gets: $(echo "$natives" | tr '\n' ' ')"
  if [ "$(echo "$natives" | wc -l)" -ne 1 ] || ! echo "$natives" | grep -qx "org.nd4j:nd4j-native:jar:$expect"; then
    echo "FAIL: $name consumer should get exactly org.nd4j:nd4j-native:jar:$expect" >&2
    exit 1
  fi
  if grep -q "$refuse" "$dir/deps.txt"; then
    echo "FAIL: $name consumer still gets $refuse" >&2
    exit 1
  fi
  (cd "$dir" && mvn -B -q compile exec:java -Dexec.mainClass=consumer.Main) | tee "$dir/run.txt"
  grep -q "saliency ok" "$dir/run.txt" || { echo "FAIL: $name consumer did not run" >&2; exit 1; }
}

check default linux-x86_64-onednn "nd4j-native:jar:linux-x86_64:"
check plain linux-x86_64 "onednn"
echo "consumer check passed"
