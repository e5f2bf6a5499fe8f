"""python -m cognito_emulator serve [--host 127.0.0.1] [--port 0] [--seed] [--verbose] [--exit-with-parent] [--delay-ms N]"""

import argparse
import logging
import sys

# Loads moto; the package's __init__ (its version check) has run before any submodule.
from .server import serve as run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cognito_emulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator until SIGTERM/SIGINT")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--seed", action="store_true", help="create the default pool and client")
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    serve.add_argument(
        "--exit-with-parent", action="store_true", help="exit when the process that started it exits (test harnesses)"
    )
    serve.add_argument(
        "--delay-ms",
        type=int,
        default=0,
        help="answer every Cognito call N ms late, as a remote AWS endpoint would (timing tests)",
    )
    args = parser.parse_args(argv)
    if args.delay_ms < 0:
        parser.error("--delay-ms must be 0 or more")
    if args.exit_with_parent:
        _exit_with_parent()

    # stdout carries only the readiness line; everything else goes to stderr.
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(stream=sys.stderr, level=level)
    logging.getLogger("werkzeug").setLevel(level)  # werkzeug's access log is INFO
    run(args.host, args.port, args.seed, delay_ms=args.delay_ms)


def _exit_with_parent() -> None:
    """A harness that dies without cleaning up must not leave an emulator behind: poll the parent."""
    import os
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    main()
