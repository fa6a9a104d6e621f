#!/usr/bin/env bash
# make demo: the whole mkbulk flow against a local sandbox, with no Marketo
# account: start `mkbulk sandbox`, copy examples/ to a temporary project,
# validate, plan, apply, show the files it wrote, plan again, print what the
# sandbox saw, and stop it. Usage: scripts/demo.sh BIN
set -euo pipefail

bin=${1:-bin/mkbulk}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "demo: $bin is not an executable (run make build)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mkbulk-demo.XXXXXX")
sandbox_pid=

cleanup() {
	if [ -n "$sandbox_pid" ]; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then bold=$'\033[1m' reset=$'\033[0m'; else bold= reset=; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
started=$(date +%s)

# -time-scale=600: ten simulated minutes per real second, so Marketo's
# one-minute status refresh is 100 ms and the whole apply takes seconds.
step "mkbulk sandbox -listen=127.0.0.1:0 -time-scale=600"
"$bin" sandbox -listen=127.0.0.1:0 -time-scale=600 >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 100); do
	grep -q '^MKBULK_POLL_INTERVAL=' "$work/sandbox.out" 2>/dev/null && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.err" >&2; exit 1; }
	sleep 0.1
done
cat "$work/sandbox.out"
# Export exactly the variables the sandbox printed (VAR=value lines).
while IFS='=' read -r name value; do
	case $name in MARKETO_* | MKBULK_*) export "$name=$value" ;; esac
done <"$work/sandbox.out"
[ -n "${MARKETO_ENDPOINT:-}" ] || { echo "demo: the sandbox printed no MARKETO_ENDPOINT" >&2; exit 1; }

project=$work/project
mkdir -p "$project"
cp -R "$root/examples/." "$project/"
cd "$project"

step "mkbulk validate"
"$bin" validate

step "mkbulk plan"
"$bin" plan

step "mkbulk apply -auto-approve"
"$bin" apply -auto-approve

step "Files written (size, data rows after the header)"
find out reports .mkbulk/reports -type f ! -name '*.partial' 2>/dev/null | sort | while read -r f; do
	bytes=$(wc -c <"$f" | tr -d ' ')
	lines=$(wc -l <"$f" | tr -d ' ')
	printf '  %-62s %9s bytes %7s rows\n' "$f" "$bytes" "$((lines > 0 ? lines - 1 : 0))"
done

step "mkbulk plan (again)"
# Everything applied is in state and verified on disk, so there is nothing
# to do. (The incremental activity export runs up to the last whole hour; it
# plans a new window only if an hour boundary passed during the demo.)
set +e
"$bin" plan -detailed-exitcode
code=$?
set -e
case $code in
0) ;;
2) echo "(an hour boundary passed during the demo: the incremental export has a new window)" ;;
*) exit "$code" ;;
esac

step "What the sandbox saw (GET /sandbox/stats.json)"
stats=$(curl -fsS "$MARKETO_ENDPOINT/sandbox/stats.json" 2>/dev/null || true)
if [ -z "$stats" ]; then
	echo "  (curl is not installed; open $MARKETO_ENDPOINT/sandbox/stats.json while a sandbox runs)"
elif command -v python3 >/dev/null; then
	printf '%s' "$stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)
keep = ["calls", "maxCallsIn20s", "maxConcurrentCalls", "pollsBeforeRefresh", "bytesServed", "quotaUsedBytes"]
for k in keep:
    print("  %-20s %s" % (k, s.get(k)))
for group in ("exports", "imports"):
    print("  %-20s %s" % (group, json.dumps(s.get(group), sort_keys=True)))'
else
	printf '  %s\n' "$stats"
fi

printf '\nDemo finished in %ss. The sandbox stops now.\n' "$(($(date +%s) - started))"
