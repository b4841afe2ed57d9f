#!/usr/bin/env python3
"""Hostile job (b): short TCP connections to an allowed host, as fast as they open.

usage: connflood.py RESOLVER NAME PORT COUNT SECONDS
Resolves NAME through RESOLVER (so the monitor learns its address), then connects and resets
(SO_LINGER 0: no TIME_WAIT, so the ephemeral ports last), re-resolving every 5,000 connections.
Prints: connected failed seconds
"""
import socket
import struct
import sys
import time


def resolve(resolver: str, name: str) -> str:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    packet = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(packet, (resolver, 53))
        answer = sock.recv(512)
    return socket.inet_ntoa(answer[-4:])


def main() -> None:
    resolver, name, port, count, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    start = time.monotonic()
    deadline = start + seconds
    linger = struct.pack("ii", 1, 0)
    connected = failed = 0
    address = resolve(resolver, name)
    while connected + failed < count and time.monotonic() < deadline:
        if (connected + failed) % 5000 == 4999:
            address = resolve(resolver, name)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        sock.settimeout(2)
        try:
            sock.connect((address, port))
            connected += 1
        except OSError:
            failed += 1
        finally:
            sock.close()
    print(connected, failed, round(time.monotonic() - start, 1))


main()
