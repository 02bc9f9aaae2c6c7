#!/usr/bin/env python3
"""Loopback HTTP server for the fault suite: serves the files of ROOT under /MODE/NAME, where MODE injects a fault.

  ok        the file, with Range support (206 + Content-Range)
  slow      like ok, throttled to --rate bytes/s (kill -9 mid-download, racing downloads)
  trunc1    the first request of each file ends after 1 MiB although Content-Length says more; later ones are ok
  nolength  throttled, no Content-Length (the client cannot check space up front; the disk fills mid-stream)
  wrong     the right number of bytes, but not the file's (every byte inverted)
  404       404 Not Found
Prints "port N" on its first line; logs one line per request ("GET /MODE/NAME range=...") to --log."""
import argparse, http.server, os, socketserver, sys, time

p = argparse.ArgumentParser()
p.add_argument("root")
p.add_argument("--rate", type=int, default=2 << 20)
p.add_argument("--log", default=os.devnull)
args = p.parse_args()
seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *a):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/", 1)
        mode, name = (parts + [""])[:2]
        rng = self.headers.get("Range") or "-"
        with open(args.log, "a") as log:
            log.write(f"GET {self.path} range={rng}\n")
        path = os.path.join(args.root, os.path.basename(name))
        if mode == "404" or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        if mode == "wrong":
            data = bytes(255 - b for b in data)
        start = 0
        if rng.startswith("bytes=") and mode in ("ok", "slow", "trunc1"):
            start = int(rng[6:].split("-")[0])
        if start:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        if mode != "nolength":
            self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        if mode == "trunc1" and name not in seen:
            seen.add(name)
            body = body[:1 << 20]
        throttled = mode in ("slow", "nolength")
        chunk = 64 << 10
        try:
            for i in range(0, len(body), chunk):
                self.wfile.write(body[i:i + chunk])
                if throttled:
                    self.wfile.flush()
                    time.sleep(chunk / args.rate)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


with Server(("127.0.0.1", 0), Handler) as s:
    print(f"port {s.server_address[1]}", flush=True)
    s.serve_forever()
