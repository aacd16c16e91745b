#!/usr/bin/env bash
# Fuzzes Clearwing's parsers of outside input with afl++ and SharpFuzz (docs/fuzzing.md).
#   fuzz/run.sh [--seconds N] [--seeds N] [--out DIR] [--no-build] [TARGET...]
# Each target (all when none is named; `dotnet fuzz/Clearwing.Fuzz/bin/Release/net10.0/Clearwing.Fuzz.dll list`) is seeded from
# ../shared/testdata and the tests' fixtures and fuzzed for N seconds (default 6) with a one-second limit per input. Every
# crash or hang afl saves is replayed through the target's oracle and printed; the script exits 1 if there is any, after
# a line per target with afl's figures. Installs what it needs: afl++ from apt, SharpFuzz.CommandLine into fuzz/.tools.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=6; seeds=30; out=""; build=1; targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) targets+=("$1"); shift ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v afl-fuzz >/dev/null; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null \
    || { echo "fuzz: could not install afl++"; exit 1; }
fi
tools=fuzz/.tools
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null || { echo "fuzz: could not install sharpfuzz"; exit 1; }
fi
bin=fuzz/Clearwing.Fuzz/bin/Release/net10.0
if [ "$build" = 1 ] || [ ! -f "$bin/Clearwing.Fuzz.dll" ]; then
  dotnet build fuzz/Clearwing.Fuzz -c Release -nologo -v q >/dev/null || { echo "fuzz: the harness does not build"; exit 1; }
fi

work=${out:-$(mktemp -d /tmp/clearwing-fuzz.XXXXXX)}
mkdir -p "$work"
# The instrumented copy is the harness's own: the build output (which the unit tests replay through) stays as it was.
rm -rf "$work/bin" && cp -r "$bin" "$work/bin"
# Clearwing.Server holds the API's request bodies; everything else fuzzed is in Clearwing.Core.
for dll in Clearwing.Core.dll Clearwing.Server.dll; do
  "$tools/sharpfuzz" "$work/bin/$dll" >/dev/null || { echo "fuzz: sharpfuzz could not instrument $dll"; exit 1; }
done
# The instrumented assembly only runs under afl-fuzz (its coverage map is afl's shared memory): seeds and replays use the build.
harness=(dotnet "$bin/Clearwing.Fuzz.dll"); instrumented=(dotnet "$work/bin/Clearwing.Fuzz.dll")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("${harness[@]}" list)

# afl++ runs as root on a shared machine: no core-pattern or CPU-governor demands, no pinning to a core others build on.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
# .NET starts in seconds, not milliseconds, and warms up on the seeds first.
export AFL_FORKSRV_INIT_TMOUT=120000
# Memory: .NET reserves far more address space than it uses, so afl's -m (an address-space limit) cannot bound it; the GC's
# hard limit does: a parser that needs more than 512 MiB for an input afl makes (at most 1 MiB) throws OutOfMemoryException,
# which no oracle accepts.
export DOTNET_GCHeapHardLimit=0x20000000 DOTNET_gcServer=0 DOTNET_CLI_TELEMETRY_OPTOUT=1

status=0
printf '%-22s %10s %8s %8s %8s %8s\n' target execs execs/s corpus crashes hangs
for t in "${targets[@]}"; do
  in="$work/$t/seeds"; findings="$work/$t/afl"
  rm -rf "$in" "$findings"
  "${harness[@]}" seeds "$t" "$in" 65536 "$seeds" >/dev/null || { echo "$t: no seeds"; status=1; continue; }
  # The harness's temporary files inside the run's folder: afl kills its children, which leaves them behind.
  mkdir -p "$work/$t/tmp"
  TMPDIR="$work/$t/tmp" afl-fuzz -i "$in" -o "$findings" -t 1000 -m none -V "$seconds" -- "${instrumented[@]}" "$t" "$in" >"$work/$t/afl.log" 2>&1
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$t: afl-fuzz did not run (see $work/$t/afl.log):"; tail -5 "$work/$t/afl.log"; status=1; continue
  fi
  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(stat saved_crashes); hangs=$(stat saved_hangs)
  printf '%-22s %10s %8s %8s %8s %8s\n' "$t" "$(stat execs_done)" "$(stat execs_per_sec)" "$(stat corpus_count)" "$crashes" "$hangs"
  # What afl saved, replayed in-process: the exception and its stack, or the time a hang takes warm.
  for kind in crashes hangs; do
    saved=$(find "$findings/default/$kind" -type f -name 'id:*' 2>/dev/null)
    [ -n "$saved" ] || continue
    if [ "$kind" = crashes ] || { [ "$kind" = hangs ] && ! "${harness[@]}" check "$t" $saved >/dev/null 2>&1; }; then
      status=1
      echo "FUZZ FINDING: $t: $kind in $findings/default/$kind"
      timeout 120 "${harness[@]}" check "$t" $saved | head -40
    else
      echo "$t: afl's $(echo "$saved" | wc -l) hang(s) take under a second each when replayed warm (a busy machine), not counted"
    fi
  done
done
[ -n "$out" ] || [ "$status" -ne 0 ] || rm -rf "$work"
[ "$status" -eq 0 ] && echo "fuzz: no findings in ${#targets[@]} targets" || echo "fuzz: FINDINGS (inputs kept in $work)"
exit $status
