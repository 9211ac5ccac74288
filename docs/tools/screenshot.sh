#!/usr/bin/env bash
# Makes the README's image of the console from the real program: the demo, a chat that reached
# chatting with a line sent, captured from tmux with colours, rendered to PNG.
#   docs/tools/screenshot.sh assets/console.png
set -euo pipefail
out=${1:-assets/console.png}
cd "$(dirname "$0")/../.."
cargo build --release --quiet
data=$(mktemp -d)
socket=chatstart-shot-$$
cols=110 rows=20
tmux -L "$socket" new -d -s shot -x $cols -y $rows \
  "env -u CHATSTART_APP_KEY CHATSTART_DATA_DIR=$data TERM=xterm-256color ./target/release/chatstart"
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$data"' EXIT
wait_for() { for _ in $(seq 100); do tmux -L "$socket" capture-pane -p -t shot | grep -q "$1" && return; sleep 0.1; done; echo "no '$1' on screen" >&2; exit 1; }
wait_for "estimated wait"
tmux -L "$socket" send-keys -t shot C-s
wait_for "must be answered"
tmux -L "$socket" send-keys -t shot Right Right
tmux -L "$socket" send-keys -t shot C-s
wait_for "CHATTING"
tmux -L "$socket" send-keys -t shot i "Does the Gold plan include delivery?" Enter
wait_for "Let me check"
# Esc and `c` sent together read as Alt+C: send them apart.
tmux -L "$socket" send-keys -t shot Escape
wait_for "i  write"
tmux -L "$socket" send-keys -t shot c
wait_for "copied"
tmux -L "$socket" capture-pane -e -p -t shot > "$data/capture.txt"
python3 docs/tools/ansi_to_png.py "$data/capture.txt" "$out" $cols $rows
echo "wrote $out"
