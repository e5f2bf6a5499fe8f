"""A tiny static server for the browser test's pages: serves browser-tests/static/ on several loopback
ports at once (the app's origin and the attacker origins), and prints one JSON line once every listener
is up: {"ports": [..]}. Runs until SIGTERM/SIGINT.

It also records, per port, the *names* of the cookies browsers sent it (never their values), at
GET /_seen: that shows which cookies a page on another port of the same host receives.

Usage: python serve.py --root DIR --count N   (every port picked free by the OS, bound on 127.0.0.1)
"""

import argparse
import http.server
import json
import os
import signal
import sys
import threading
from functools import partial

SEEN: dict[int, set[str]] = {}
LOCK = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        names = [p.split("=", 1)[0].strip() for p in (self.headers.get("Cookie") or "").split(";") if "=" in p]
        with LOCK:
            SEEN.setdefault(port, set()).update(names)
        if self.path == "/_seen":
            with LOCK:
                body = json.dumps({str(k): sorted(v) for k, v in SEEN.items()}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # one short line per request, on stderr
        sys.stderr.write(f"static :{self.server.server_address[1]} {format % args}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    handler = partial(Handler, directory=os.path.abspath(args.root))
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(args.count)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"ports": [s.server_address[1] for s in servers]}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1):
        pass


if __name__ == "__main__":
    main()
