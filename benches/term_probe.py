#!/usr/bin/env python3
"""Measures a terminal program the way a person meets it, in a real pseudo-terminal:

- first frame: from fork to the end of the first burst of drawing (output that enters the
  alternate screen, then falls quiet for --quiet-ms);
- idle memory: resident set size (VmRSS, plus its children's) after --settle seconds;
- idle CPU: user+system CPU seconds used over --idle seconds with no input.

Optional --keys are typed after the first frame (e.g. to submit a form), before the idle window.
Prints one JSON line. Works for any TUI (chatstart, ATAC, Slumber, Posting) and for a bare
baseline program. Standard library only.

    benches/term_probe.py --cols 80 --rows 24 --idle 10 -- ./target/release/chatstart
"""
import argparse
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import fcntl
import time

ALT_SCREEN = b"\x1b[?1049h"


def children(pid):
    """The pid and all its descendants (from /proc)."""
    family, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as handle:
                kids = [int(k) for k in handle.read().split()]
        except OSError:
            kids = []
        family += kids
        frontier += kids
    return family


def rss_kib(pid):
    total = 0
    for member in children(pid):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pid):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in children(pid):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def drain(fd, seconds):
    """Reads whatever arrives for `seconds`; returns the bytes count."""
    deadline = time.monotonic() + seconds
    count = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return count
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return count
            if not data:
                return count
            count += len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--quiet-ms", type=float, default=150)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--keys", default="", help="typed after the first frame, e.g. '\\x13' for Ctrl+S")
    parser.add_argument("--label", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = os.environ.get("TERM", "xterm-256color")
        os.execvp(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)

    buffer = b""
    first_frame = None
    last_output = None
    deadline = started + args.timeout
    while time.monotonic() < deadline:
        wait = args.quiet_ms / 1000 if last_output else deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(wait, 0))
        if not ready:
            if last_output is not None and ALT_SCREEN in buffer:
                first_frame = last_output - started
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        buffer += data
        if ALT_SCREEN in buffer and len(buffer.split(ALT_SCREEN, 1)[1]) > 0:
            last_output = time.monotonic()
        # Answer a cursor position query so programs that ask do not stall.
        if b"\x1b[6n" in data:
            os.write(fd, b"\x1b[1;1R")

    result = {"label": args.label or os.path.basename(command[0]), "first_frame_ms": None}
    if first_frame is not None:
        result["first_frame_ms"] = round(first_frame * 1000, 1)
        if args.keys:
            os.write(fd, args.keys.encode().decode("unicode_escape").encode())
        drain(fd, args.settle)
        result["idle_rss_kib"] = rss_kib(pid)
        before = cpu_seconds(pid)
        redraw_bytes = drain(fd, args.idle)
        result["idle_cpu_s"] = round(cpu_seconds(pid) - before, 3)
        result["idle_seconds"] = args.idle
        result["idle_output_bytes"] = redraw_bytes
    try:
        os.kill(pid, signal.SIGTERM)
        drain(fd, 0.5)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    print(json.dumps(result))
    return 0 if first_frame is not None else 1


if __name__ == "__main__":
    sys.exit(main())
