#!/usr/bin/env python3
"""A TCP server on 127.0.0.1:PORT that accepts connections and never answers, for an hour.

The benchmarks point the console at it so that nothing the service says redraws the screen
while the first frame is measured.

    benches/silent_server.py 18483
"""
import socket
import sys
import time

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(128)
held = []
deadline = time.monotonic() + 3600
server.settimeout(1)
while time.monotonic() < deadline:
    try:
        connection, _ = server.accept()
        held.append(connection)
    except socket.timeout:
        pass
