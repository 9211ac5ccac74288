#!/usr/bin/env python3
"""Input figures of the console in a real pseudo-terminal, as a person meets them:

- paste_10kb_*: a 10 KB paste into a form field (as a bracketed paste, and sent as plain keys
  the way a terminal without bracketed paste sends it) and into the SSO key (bracketed), from
  the write of its first byte until the frame showing its end has been written;
- keystroke_to_frame: one key in a text field, from its write until the frame showing it.

The console runs on its demo (its own in-process emulator). Prints one JSON line per figure.
Standard library only.

    benches/input_probe.py --rounds 20 -- ./target/release/chatstart
"""
import argparse
import base64
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import fcntl
import time

BACKTAB = b"\x1b[Z"
LETTERS = "ABCDEFGHIJKLMNOPQRST"


class Console:
    """The program in a pty: writes keys, reads its output, answers cursor queries."""

    def __init__(self, command, cols, rows):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = os.environ.get("TERM", "xterm-256color")
            os.execvp(command[0], command)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = b""

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if b"\x1b[6n" in data:
            os.write(self.fd, b"\x1b[1;1R")
        self.output += data
        return True

    def wait_for(self, marker, timeout=30.0, since=0):
        """Seconds until `marker` is in the output written after offset `since`."""
        started = time.monotonic()
        deadline = started + timeout
        while marker not in self.output[since:]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{marker!r} did not appear within {timeout} s")
            self.read(deadline - time.monotonic())
        return time.monotonic() - started

    def quiet(self, seconds=0.3):
        """Reads until nothing arrives for `seconds`."""
        while self.read(seconds):
            pass

    def write(self, data):
        view = memoryview(data)
        while view:
            # The pty takes a few KB at a time: keep reading the output meanwhile, or a console
            # that draws while it reads could block on a full output.
            _, writable, _ = select.select([], [self.fd], [], 0.05)
            if writable:
                written = os.write(self.fd, view[:4096])
                view = view[written:]
            self.read(0)

    def timed(self, data, marker):
        """Writes `data` and returns milliseconds until `marker` is drawn."""
        since = len(self.output)
        started = time.monotonic()
        self.write(data)
        self.wait_for(marker, since=since)
        return (time.monotonic() - started) * 1000

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
            self.quiet(0.3)
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def bracketed(text):
    return b"\x1b[200~" + text.encode() + b"\x1b[201~"


def jwt(pad):
    """An unsigned JWT of about 10 KB whose subject names the round."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    claims = {"iss": "bench", "sub": f"bench-subject-{pad}", "pad": "x" * 7_400}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def figure(name, values, **extra):
    result = {
        "figure": name,
        "rounds": len(values),
        "median_ms": round(statistics.median(values), 2),
        "max_ms": round(max(values), 2),
    }
    result.update(extra)
    print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    console = Console(command, args.cols, args.rows)
    try:
        console.wait_for(b"survey")
        console.quiet()
        # The demo starts on the skill; six Tabs reach the referrer, which no lookup reads.
        console.write(b"\t" * 6)
        console.quiet()

        field_bracketed, field_keys, sso, keys = [], [], [], []
        for round_ in range(args.rounds):
            # The frames only rewrite the cells that change: the end is ten different letters,
            # so however far the field scrolled since the last frame, all ten are rewritten.
            marker = LETTERS[round_ % 10:round_ % 10 + 10]
            body = "r" * (10_240 - len(marker)) + marker
            console.write(b"\x15")  # Ctrl+U: the field empty again
            console.quiet()
            field_bracketed.append(console.timed(bracketed(body), marker.encode()))
            console.quiet()
            console.write(b"\x15")
            console.quiet()
            field_keys.append(console.timed(body.encode(), marker.encode()))
            console.quiet()
        console.write(b"\x15")
        console.quiet()
        # One key at a time, each waited for: the time from a key to the frame that shows it.
        for round_ in range(max(args.rounds * 3, 30)):
            key = chr(ord("A") + round_ % 26).encode()
            keys.append(console.timed(key, key))
            console.quiet(0.05)

        # The SSO key: the referrer is the twelfth item, so twelve Shift+Tabs wrap round to the
        # last, the flow switch; Space turns the authenticated flow on, Tab reaches the key.
        console.write(b"\x15")
        console.write(BACKTAB * 12)
        console.quiet()
        console.write(b" ")
        console.quiet()
        console.write(b"\t")
        console.quiet()
        for round_ in range(args.rounds):
            console.write(b"\x15")
            console.quiet()
            token = jwt(round_)
            sso.append(console.timed(bracketed(token), f"bench-subject-{round_}".encode()))
            console.quiet()
    finally:
        console.close()
    figure("paste_10kb_field_bracketed", field_bracketed, bytes=10_240)
    figure("paste_10kb_field_as_keys", field_keys, bytes=10_240)
    figure("paste_10kb_sso_key_bracketed", sso, bytes=len(jwt(0)))
    figure("keystroke_to_frame", keys, p95_ms=round(sorted(keys)[int(len(keys) * 0.95) - 1], 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
