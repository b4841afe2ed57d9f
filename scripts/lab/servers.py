#!/usr/bin/python3
"""TCP servers of the BuildSentry network lab, run inside the "internet" namespace.

Every host address gets:
  :80    HTTP   GET /ok, GET /bytes/N (N zero bytes), GET any file under the www dir, POST anything
  :443   HTTPS  the same, behind a self-signed certificate
  :9000  sink   counts what it receives; after the client's EOF it logs and answers "N\\n"
  :9001  source reads a decimal byte count and a newline, sends that many zero bytes

What a host RECEIVES is the point of the lab (tests count how much of a payload reached
evil.test), so each exchange appends a line to recv/<host>.log, where <host> is the primary name
of the address the client connected to:
  <unix-ms> <service> <peer> <bytes-received> <method-or-dash> <path-or-dash>
The line is written before the response goes out, so once a client has its answer the count is
on disk. Bytes are application bytes (after TLS decryption), request line and headers included.
Stdlib only: the lab must run on a bare Debian.
"""
import argparse
import os
import socket
import socketserver
import ssl
import sys
import threading
import time

CHUNK = 1 << 20
ZEROS = memoryview(bytes(CHUNK))
MAX_HEADER = 64 * 1024
IDLE_TIMEOUT = 60


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    def record(self, host, service, peer, count, method="-", path="-"):
        line = f"{int(time.time() * 1000)} {service} {peer} {count} {method} {path}\n"
        with self.lock, open(os.path.join(self.directory, host + ".log"), "a") as log:
            log.write(line)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, host, lab, tls=None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.host = host
        self.lab = lab
        self.tls = tls
        super().__init__(address, handler)


class Handler(socketserver.BaseRequestHandler):
    service = "?"

    def setup(self):
        self.request.settimeout(IDLE_TIMEOUT)
        self.peer = self.client_address[0]
        self.received = 0

    def recv(self, limit=CHUNK):
        data = self.request.recv(limit)
        self.received += len(data)
        return data

    def record(self, method="-", path="-"):
        self.server.lab.recorder.record(self.server.host, self.service, self.peer, self.received, method, path)
        self.received = 0

    def send_zeros(self, count):
        while count > 0:
            count -= self.request.send(ZEROS[: min(count, CHUNK)])


class HttpHandler(Handler):
    def handle(self):
        self.service = "https" if self.server.tls else "http"
        if self.server.tls:
            try:
                self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        try:
            self.exchange()
        except (OSError, ValueError):
            if self.received:
                self.record()

    def exchange(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.recv()
            if not chunk:
                if self.received:
                    self.record()
                return
            data += chunk
            if len(data) > MAX_HEADER:
                self.record()
                return self.respond(431, b"headers too large\n")
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("-", "-")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while not body.endswith(b"0\r\n\r\n"):
                chunk = self.recv()
                if not chunk:
                    break
                body += chunk
        else:
            length = int(headers.get("content-length", "0") or "0")
            while len(body) < length:
                chunk = self.recv(min(CHUNK, length - len(body)))
                if not chunk:
                    break
                body += chunk
        self.record(method, safe(path))
        self.route(method, path, len(body))

    def route(self, method, path, body_length):
        if method == "POST" or method == "PUT":
            return self.respond(200, f"received {body_length} bytes\n".encode())
        if path == "/ok":
            return self.respond(200, b"ok\n")
        if path.startswith("/bytes/") and path[len("/bytes/"):].isdigit():
            count = int(path[len("/bytes/"):])
            self.request.sendall(self.header(200, count, "application/octet-stream"))
            return self.send_zeros(count)
        file = os.path.join(self.server.lab.www, os.path.basename(path))
        if path.count("/") == 1 and os.path.isfile(file):
            with open(file, "rb") as f:
                return self.respond(200, f.read(), "text/plain")
        return self.respond(404, b"not found\n")

    def header(self, status, length, content_type):
        return (f"HTTP/1.1 {status} X\r\nContent-Length: {length}\r\nContent-Type: {content_type}\r\n"
                f"Server: buildsentry-lab\r\nConnection: close\r\n\r\n").encode()

    def respond(self, status, body, content_type="text/plain"):
        self.request.sendall(self.header(status, len(body), content_type) + body)


class SinkHandler(Handler):
    service = "sink"

    def handle(self):
        try:
            while self.recv():
                pass
            count = self.received
            self.record()
            self.request.sendall(f"{count}\n".encode())
        except OSError:
            self.record()


class SourceHandler(Handler):
    service = "source"

    def handle(self):
        data = b""
        try:
            while b"\n" not in data and len(data) < 32:
                chunk = self.recv(32)
                if not chunk:
                    break
                data += chunk
            self.record()
            line = data.split(b"\n")[0].strip()
            if line.isdigit():
                self.send_zeros(int(line))
        except OSError:
            pass


def safe(text):
    """Paths come from clients: keep log lines one line of printable ASCII."""
    return "".join(c if 33 <= ord(c) < 127 else "%" for c in text)[:200] or "-"


class Lab:
    def __init__(self, args):
        self.recorder = Recorder(os.path.join(args.state, "recv"))
        self.www = args.www


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--www", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--host", action="append", default=[], help="NAME=ADDRESS (repeatable)")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.state, "recv"), exist_ok=True)
    lab = Lab(args)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    servers = []
    for spec in args.host:
        host, _, address = spec.partition("=")
        servers += [Server((address, 80), HttpHandler, host, lab),
                    Server((address, 443), HttpHandler, host, lab, tls),
                    Server((address, 9000), SinkHandler, host, lab),
                    Server((address, 9001), SourceHandler, host, lab)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    open(os.path.join(args.state, "servers.ready"), "w").close()
    print(f"servers: {len(servers)} listeners", file=sys.stderr, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
