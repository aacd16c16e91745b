#!/usr/bin/env bash
# Runs Clearwing's whole test suite: installs and starts what the tests need (a throwaway PostgreSQL
# cluster; bubblewrap and gcc for the sandbox), runs every test project, stops everything, and ends with one line:
#   Tests: N passed, N failed, N skipped
set -uo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# From apt when missing: PostgreSQL (started below as a throwaway cluster on a free port); bubblewrap, the sandbox reproducers
# run in; gcc with its sanitizer runtimes, which builds the real programs with real bugs the validation tests reproduce;
# git, which checks out a reproducer's target; Chromium for the dashboard's browser tests; aiosmtpd, an SMTP server.
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v git >/dev/null || missing+=(git)
# clang, whose static analyzer is the real SARIF-writing analyzer the campaign tests run over their repositories.
command -v clang >/dev/null || missing+=(clang)
# Chromium, which the dashboard's browser tests drive headless, and the fonts its pages are drawn (and screenshotted) with.
command -v chromium >/dev/null || missing+=(chromium fonts-liberation)
# A real SMTP server for the notification tests (they start it on a free port and read what it received).
[ -d /usr/lib/python3/dist-packages/aiosmtpd ] || missing+=(python3-aiosmtpd)
# Node and npm for the oracles from npm in tests/oracles (the CSAF validator the CSAF writer tests run documents through).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# afl++ for the short fuzzing run below (fuzz/run.sh; SharpFuzz's instrumenter it installs itself, as a dotnet tool).
command -v afl-fuzz >/dev/null || missing+=(afl++)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PGDIR"; runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$PGDIR"; }
trap stop_pg EXIT
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U clearwing --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null
export CLEARWING_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=clearwing;Database=postgres;Pooling=false"

passed=0; failed=0; skipped=0; status=0
# Each oracle's node_modules, exactly as its package-lock.json pins them.
for oracle in tests/oracles/*/; do
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "npm ci failed in $oracle"; status=1; }
done
dotnet build Clearwing.slnx -c Release -nologo -v q || { echo "Tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
for project in tests/*/; do
  ls "$project"*.csproj >/dev/null 2>&1 || continue  # tests/oracles holds the npm oracles, not a test project
  name=$(basename "$project")
  log=$(mktemp)
  dotnet test --project "$project" -c Release --no-build 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # Microsoft.Testing.Platform's own summary lines: "succeeded: N", "failed: N", "skipped: N".
  p=$(grep -Eo 'succeeded: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+'); f=$(grep -Eo 'failed: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+'); s=$(grep -Eo 'skipped: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ]; then status=1; [ "${f:-0}" -eq 0 ] && failed=$((failed + 1)) && echo "$name: test run exited $rc"; fi
  rm -f "$log"
done
# A short afl++ run of every fuzz harness (docs/fuzzing.md), a few seconds a parser and under five minutes in all: one test,
# failed when a harness finds an input its parser throws an undocumented exception on or hangs on (the inputs are printed).
if fuzz/run.sh --no-build; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; echo "fuzz: a harness found a crash or a hang (above)"; fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
