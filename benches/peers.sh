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
mkdir -p "$work/atac" "$work/slumber" "$work/posting"
printf 'requests:\n  chat:\n    method: POST\n    url: http://127.0.0.1:18481/api/account/12345678/chat/request\n' > "$work/slumber/slumber.yml"
probe_script=$PWD/benches/term_probe.py
# A service that accepts and never answers: chatstart's first frame is then not followed, inside
# the probe's quiet window, by the redraw that the survey's answer (or a refusal) brings.
python3 "$PWD/benches/silent_server.py" 18484 & silent=$!
trap 'kill $silent 2>/dev/null; rm -rf "$work"' EXIT
probe() { python3 "$probe_script" --idle "$idle" --timeout 30 "$@"; }
[ -x "$root/bin/atac" ] && (cd "$work/atac" && probe --label atac -- "$root/bin/atac" -d "$work/atac")
[ -x "$root/bin/slumber" ] && (cd "$work/slumber" && HOME="$work" probe --label slumber -- "$root/bin/slumber")
[ -x "$root/venv/bin/posting" ] && (cd "$work/posting" && HOME="$work" probe --label posting -- "$root/venv/bin/posting")

# First frames and resident memory 2 s after, interleaved over several rounds in one run,
# medians: a fair side-by-side.
rounds=${ROUNDS:-7}
chatstart=$PWD/target/release/chatstart
python3 - "$rounds" "$probe_script" "$chatstart" "$root" "$work" <<'PY'
import json, statistics, subprocess, sys, os
rounds, probe, chatstart, root, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
programs = {
    "baseline-bare-terminal": (["sh", "-c", 'printf "\033[?1049h\033[2J\033[Hready"; sleep 60'], None),
    "chatstart": ([chatstart, "tui", "--base-url", "http://127.0.0.1:18484", "--account", "12345678", "--app-key", "k"], None),
    # Idle with the survey and availability read from the emulator (benches/measure.sh starts
    # it on 18481): the memory of a console in use.
    "chatstart-served": ([chatstart, "tui", "--base-url", "http://127.0.0.1:18481", "--account", "12345678",
                          "--app-key", "demo-app-key-0123456789abcdef", "--skill", "Queue"], None),
    "atac": ([f"{root}/bin/atac", "-d", f"{work}/atac"], f"{work}/atac"),
    "slumber": ([f"{root}/bin/slumber"], f"{work}/slumber"),
}
frames = {name: [] for name in programs}
memory = {name: [] for name in programs}
for _ in range(rounds):
    for name, (command, cwd) in programs.items():
        if not os.path.exists(command[0]) and "/" in command[0]:
            continue
        out = subprocess.run(["python3", probe, "--idle", "0", "--settle", "2", "--timeout", "20", "--label", name, "--", *command],
                             cwd=cwd, capture_output=True, text=True, env={**os.environ, "HOME": work}).stdout
        result = json.loads(out or "{}")
        if result.get("first_frame_ms") is not None:
            frames[name].append(result["first_frame_ms"])
            memory[name].append(result["idle_rss_kib"])
base = statistics.median(frames["baseline-bare-terminal"]) if frames["baseline-bare-terminal"] else 0
for name, values in frames.items():
    if values:
        median = statistics.median(values)
        print(json.dumps({"figure": "first_frame_median", "label": name, "rounds": len(values),
                          "median_ms": round(median, 1), "above_baseline_ms": round(median - base, 1),
                          "idle_rss_kib_median": statistics.median(memory[name])}))
PY
exit 0
