#!/usr/bin/env python3
"""Measurement 7's job: N queries for registry.test (allowed by the lab profile), one at a time on a connected UDP
socket to the resolver of /etc/resolv.conf, as glibc asks; prints each round trip in microseconds."""
import socket
import sys
import time

count = int(sys.argv[1])
server = next(line.split()[1] for line in open("/etc/resolv.conf") if line.startswith("nameserver"))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect((server, 53))
for i in range(count):
    query = (i & 0xFFFF).to_bytes(2, "big") + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x08registry\x04test\x00\x00\x01\x00\x01"
    started = time.perf_counter_ns()
    s.send(query)
    s.recv(512)
    print((time.perf_counter_ns() - started) // 1000)
