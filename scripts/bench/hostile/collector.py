#!/usr/bin/env python3
"""A counting syslog collector: RFC 6587 octet-counted RFC 5424 records over TCP on 127.0.0.1.

usage: collector.py PORT COUNTS_FILE
Counts records by MSGID (the alert kind) and rewrites COUNTS_FILE (JSON) at most every 200 ms and on SIGTERM.
"""
import json
import os
import signal
import socket
import sys
import threading
import time

counts: dict[str, int] = {}
lock = threading.Lock()
path = sys.argv[2]


def save() -> None:
    with lock:
        snapshot = dict(counts)
    with open(path + ".tmp", "w") as f:
        json.dump(snapshot, f)
    os.replace(path + ".tmp", path)


def serve(conn: socket.socket) -> None:
    buffer = b""
    with conn:
        while True:
            data = conn.recv(1 << 16)
            if not data:
                return
            buffer += data
            while True:
                space = buffer.find(b" ")
                if space < 0:
                    break
                length = int(buffer[:space])
                if len(buffer) < space + 1 + length:
                    break
                record = buffer[space + 1:space + 1 + length]
                buffer = buffer[space + 1 + length:]
                fields = record.split(b" ", 6)
                kind = fields[5].decode(errors="replace") if len(fields) > 5 else "?"
                with lock:
                    counts[kind] = counts.get(kind, 0) + 1
                    if b'action="killed"' in record:
                        counts["killed"] = counts.get("killed", 0) + 1


def saver() -> None:
    while True:
        time.sleep(0.2)
        save()


def main() -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: (save(), sys.exit(0)))
    threading.Thread(target=saver, daemon=True).start()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
