#!/usr/bin/env bash
# The terminal API clients people would otherwise use, built from their registries and measured
# with the same probe as chatstart: ATAC and Slumber (crates.io), Posting (PyPI).
#   benches/peers.sh [IDLE_SECONDS]     (prints one JSON line per program)
# The builds take several minutes each on two cores; they are kept in target/bench/peers.
# Slumber is pinned to 5.4.0, the newest release that builds with this machine's rustc 1.95.
set -uo pipefail
cd "$(dirname "$0")/.."
idle=${1:-10}
root=$PWD/target/bench/peers
mkdir -p "$root"
[ -x "$root/bin/atac" ] || nice -n 19 cargo install --quiet --locked --root "$root" atac >&2 || echo "atac did not build" >&2
[ -x "$root/bin/slumber" ] || nice -n 19 cargo install --quiet --locked --root "$root" slumber@5.4.0 >&2 || echo "slumber did not build" >&2
if [ ! -x "$root/venv/bin/posting" ]; then
  python3 -m venv "$root/venv" && "$root/venv/bin/pip" install -q posting >&2 || echo "posting did not install" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/atac" "$work/slumber" "$work/posting"
printf 'requests:\n  chat:\n    method: POST\n    url: http://127.0.0.1:18481/api/account/12345678/chat/request\n' > "$work/slumber/slumber.yml"
probe_script=$PWD/benches/term_probe.py
probe() { python3 "$probe_script" --idle "$idle" --timeout 30 "$@"; }
[ -x "$root/bin/atac" ] && (cd "$work/atac" && probe --label atac -- "$root/bin/atac" -d "$work/atac")
[ -x "$root/bin/slumber" ] && (cd "$work/slumber" && HOME="$work" probe --label slumber -- "$root/bin/slumber")
[ -x "$root/venv/bin/posting" ] && (cd "$work/posting" && HOME="$work" probe --label posting -- "$root/venv/bin/posting")
exit 0
