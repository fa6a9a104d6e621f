#!/usr/bin/env bash
# make bench: the DESIGN.md §10 figures, each printed as a ratio of two
# things measured in this run, and recorded at the top of bench/results.md.
#
#   bash scripts/bench.sh [path/to/mkbulk] [extra bench flags, e.g. -only=download -v]
#
# Needs curl (the download baseline). Takes a few minutes and a few GB of
# temporary disk (a 1 GB export is downloaded several times).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/mkbulk}
shift || true
if [ ! -x "$bin" ]; then
	echo "bench: $bin not found; run make build (or make bench) first" >&2
	exit 1
fi
if ! command -v curl >/dev/null; then
	echo "bench: curl is needed for the download baseline" >&2
	exit 1
fi
GO=${GO:-go}
command -v "$GO" >/dev/null || GO=/usr/local/go/bin/go
"$GO" build -o bin/mkbench ./bench
exec bin/mkbench -bin "$bin" -results bench/results.md "$@"
