#!/usr/bin/env bash
# Whole-process figures for docs/performance.md: first frame, idle memory and CPU, one chat
# request next to curl, burst throughput next to wrk, the emulator's own throughput, binary size,
# and input: a 10 KB paste and a key until the frame that shows them.
# Prints figures and writes them to target/bench/results.json; never fails a build on a figure.
#
#   benches/measure.sh            # chatstart's own figures (installs hyperfine, wrk if missing)
#   benches/measure.sh --quick    # fewer runs, for CI
#   benches/measure.sh --peers    # also ATAC, Slumber (cargo install) and Posting (pip), slow
#   benches/measure.sh --build    # also a clean release build's time (several minutes)
set -uo pipefail
cd "$(dirname "$0")/.."
quick=false peers=false build=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;; --peers) peers=true ;; --build) build=true ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
runs=40 idle=10 burst_count=1000 input_rounds=20
$quick && runs=15 idle=5 burst_count=300 input_rounds=5

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "skipped: $1 is not installed" >&2; return 1; }
}

out=target/bench; mkdir -p "$out"; results="$out/results.jsonl"; : > "$results"
note() { echo "$1" | tee -a "$results"; }

cargo build --release --quiet || { echo "release build failed" >&2; exit 0; }
bin=./target/release/chatstart
note "{\"figure\":\"binary_bytes\",\"value\":$(stat -c %s $bin)}"

port=18481 base=http://127.0.0.1:18481 account=12345678
export CHATSTART_APP_KEY=demo-app-key-0123456789abcdef CHATSTART_DATA_DIR="$out/data"
$bin emulator --port $port --scenario benches/scenario.toml > "$out/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null' EXIT
for _ in $(seq 50); do curl -s "$base/api/account/$account/service/conversationVep/baseURI.json" >/dev/null && break; sleep 0.1; done

# Process start to first frame, idle memory and CPU, in a real pty (80x24).
# Each start gets its own data directory: a draft left by the previous one would be offered
# back, and that question would take the keys meant for the form.
probe() { CHATSTART_DATA_DIR=$(mktemp -d) python3 benches/term_probe.py --idle "$idle" "$@" | tee -a "$results"; }
probe --label baseline-bare-terminal -- sh -c 'printf "\033[?1049h\033[2J\033[Hready"; sleep 60'
# The first frame alone: the console asks the service for the survey and availability once it has
# drawn, and redraws with the answer; a service that accepts and never answers keeps that redraw
# out of the probe's window, so the figure is the first frame, as for programs that fetch nothing.
python3 benches/silent_server.py 18483 & silent=$!
trap 'kill $emulator $silent 2>/dev/null' EXIT
probe --label chatstart-first-frame -- $bin tui --base-url http://127.0.0.1:18483 --account $account --skill Queue
probe --label chatstart-demo -- env -u CHATSTART_APP_KEY $bin
probe --label chatstart-console-idle -- $bin tui --base-url $base --account $account --skill Queue
probe --label chatstart-console-chat-waiting --keys '\x13' -- $bin tui --base-url $base --account $account --skill Queue

# Input in a real pty, on the demo: a 10 KB paste into a field (bracketed, and as the plain keys
# of a terminal without bracketed paste) and into the SSO key, and one key, until drawn.
CHATSTART_DATA_DIR=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d) env -u CHATSTART_APP_KEY \
  python3 benches/input_probe.py --rounds "$input_rounds" -- $bin | tee -a "$results"

# One chat request as a whole process, next to curl doing the same POST.
if need hyperfine hyperfine; then
  hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/request.json" \
    "$bin request --base-url $base --account $account --skill Sales" \
    "curl -s -o /dev/null -X POST -H 'Authorization: LivePerson appKey=$CHATSTART_APP_KEY' -H 'Content-Type: application/json' -H 'Accept: application/json' -d '{\"request\":{\"skill\":\"Sales\"}}' '$base/api/account/$account/chat/request?v=1&NC=true'" \
    >/dev/null 2>&1
  python3 - "$out/request.json" <<'PY' | tee -a "$results"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, curl = r[0]["median"] * 1000, r[1]["median"] * 1000
print(json.dumps({"figure": "request_vs_curl", "chatstart_median_ms": round(ours, 2), "curl_median_ms": round(curl, 2), "ratio": round(ours / curl, 2)}))
PY
fi

# Burst throughput next to wrk posting the same request; wrk's figure is the emulator's own.
if need wrk wrk; then
  cat > "$out/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"request":{"skill":"Sales"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "LivePerson appKey=$CHATSTART_APP_KEY"
LUA
  wrk -t2 -c50 -d5s -s "$out/post.lua" "$base/api/account/$account/chat/request?v=1&NC=true" > "$out/wrk.txt" 2>&1
  wrk_rate=$(awk '/Requests\/sec/{print $2}' "$out/wrk.txt")
  start=$(date +%s.%N)
  $bin burst --base-url $base --account $account --skill Sales --count "$burst_count" --concurrency 50 \
    --wait waiting --output json --poll-interval 5 > "$out/burst.jsonl" 2>/dev/null
  end=$(date +%s.%N)
  python3 - "$out/burst.jsonl" "$start" "$end" "$wrk_rate" "$burst_count" <<'PY' | tee -a "$results"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summary = next(l["summary"] for l in lines if l["type"] == "summary")
elapsed = float(sys.argv[3]) - float(sys.argv[2])
rate = summary["created"] / elapsed
wrk = float(sys.argv[4] or 0)
print(json.dumps({"figure": "burst_vs_wrk", "count": int(sys.argv[5]), "concurrency": 50, "created": summary["created"],
                  "seconds": round(elapsed, 2), "burst_chats_per_s": round(rate), "wrk_posts_per_s": round(wrk),
                  "ratio": round(rate / wrk, 2) if wrk else None}))
PY
  # Time to accept under a burst that waits for chatting, for the plot.
  $bin burst --base-url $base --account $account --skill Sales --count 200 --concurrency 50 \
    --wait chatting --end-after --output json --poll-interval 0.2 > "$out/accept.jsonl" 2>/dev/null
fi

# What the session journal costs polling: the same polling burst without it (no exchange is
# even recorded, as before journals existed) and with it (each exchange appended as it ends).
for journal in without with; do
  flag=; [ "$journal" = without ] && flag=--no-journal
  rm -rf "$out/data/journals"
  start=$(date +%s.%N)
  $bin burst $flag --base-url $base --account $account --skill Later --count 200 --concurrency 200 \
    --wait chatting --end-after --output json --poll-interval 0.1 > "$out/journal-$journal.jsonl" 2>/dev/null
  end=$(date +%s.%N)
  python3 - "$out/journal-$journal.jsonl" "$start" "$end" "$journal" "$out/data/journals" <<'PY' | tee -a "$results"
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summary = next((l["summary"] for l in lines if l["type"] == "summary"), {})
folder = sys.argv[5]
files = [os.path.join(folder, f) for f in os.listdir(folder)] if os.path.isdir(folder) else []
print(json.dumps({"figure": "burst_polling_journal", "journal": sys.argv[4], "count": 200, "accept_after_ms": 2000, "poll_interval_s": 0.1,
                  "seconds": round(float(sys.argv[3]) - float(sys.argv[2]), 2),
                  "accept_ms_min_median_p95_max": summary.get("accept_ms"),
                  "journals": len(files), "journal_bytes": sum(os.path.getsize(f) for f in files)}))
PY
done

if $build; then
  scratch=$(mktemp -d)
  start=$(date +%s)
  CARGO_TARGET_DIR="$scratch" cargo build --release --quiet
  note "{\"figure\":\"clean_release_build_s\",\"value\":$(( $(date +%s) - start ))}"
  rm -rf "$scratch"
fi

if $peers; then
  bash benches/peers.sh "$idle" | tee -a "$results"
fi
echo "figures in $results"
