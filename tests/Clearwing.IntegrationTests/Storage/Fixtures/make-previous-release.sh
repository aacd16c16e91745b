#!/usr/bin/env bash
# Makes the upgrade fixtures UpgradeTests migrates: a program written by this build, on both engines, through the product
# itself (serve --demo's program, two OSV imports, the server's signed audit heads). Run it on a release's commit, and commit
# what it writes, before the next release's migrations land (docs/backups.md#upgrades):
#   previous-release.db.gz       the SQLite database (a 'clearwing backup'), gzip -9
#   previous-release.pgdump      the PostgreSQL database, pg_dump --format=custom
#   previous-release.key         the key file both were made with (a test key: it protects nothing else)
#   previous-release.*.head      each database's newest published audit head (SEQ:HASH), the copy an operator keeps outside
# Needs a PostgreSQL server it may create and drop a database on: PGHOST, PGPORT, PGUSER (default 127.0.0.1, 55432, clearwing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
testdata=${CLEARWING_TESTDATA:-$root/../shared/testdata}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-clearwing}
work=$(mktemp -d)
pgdb="clearwing_previous_release_$$"
cleanup() { "$PGBIN/dropdb" --if-exists -d postgres "$pgdb" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build "$root/src/Clearwing.Cli" -c Release -nologo -v q
cw="$root/src/Clearwing.Cli/bin/Release/net10.0/clearwing"
key="$work/previous-release.key"

# The demo program, then OSV advisories; the server publishes the chain's signed head as it stops (docs/audit.md).
program() {
  "$cw" serve --demo --db "$1" --key-file "$key" --urls http://127.0.0.1:0 > "$work/serve.log" 2>&1 &
  local pid=$!
  until grep -q "Loaded the demo program" "$work/serve.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
    sleep 1
  done
  for package in aiohttp jinja2; do "$cw" osv import "$testdata/osv-pypa-advisories/vulns/$package" --db "$1"; done
  kill -TERM "$pid"
  wait "$pid" || true
  "$cw" audit verify --key-file "$key" --db "$1"
}

newest_head() {
  "$cw" audit heads --limit 1 --json --db "$1" | python3 -c 'import json,sys; h=json.load(sys.stdin)["heads"][0]; print("%d:%s" % (h["seq"], h["hash"]))'
}

program "$work/program.db"
"$cw" backup "$work/previous-release.db" --db "$work/program.db"
newest_head "$work/program.db" > "$here/previous-release.sqlite.head"
gzip -9 -n -c "$work/previous-release.db" > "$here/previous-release.db.gz"

"$PGBIN/createdb" "$pgdb"
pg="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Database=$pgdb"
program "$pg"
newest_head "$pg" > "$here/previous-release.postgres.head"
"$PGBIN/pg_dump" --format=custom --no-owner --file="$here/previous-release.pgdump" "$pgdb"

cp "$key" "$here/previous-release.key"
chmod 600 "$here/previous-release.key"
ls -l "$here"
