"""SAM CLI, unchanged, with four adjustments for a machine that has no route off loopback.

Run as `.venv/bin/python scripts/sam-local/sam_offline.py <sam arguments>`: the same commands and
options as `sam`, with these differences, all made here at run time (SAM's own files are not touched):

1. Lambda containers run in host network mode, and the Runtime Interface Emulator (RIE) inside each is
   told to listen on the loopback port SAM chose for it. Stock SAM publishes the RIE's port 8080 on a
   127.0.0.1 port, which needs Docker's bridge network; the daemon scripts/sam-local.sh starts has none
   ("bridge": "none", no iptables). `--docker-network host` does not help: it only skips SAM's
   network.connect(), it does not put the container in host mode.
2. No STS GetCallerIdentity: stock SAM calls it before every local invoke to fill AWS::AccountId. Here
   AWS::AccountId is the placeholder 123456789012 (or a value given with --parameter-overrides).
3. No PyPI check for a newer SAM CLI.
4. No telemetry (SAM_CLI_TELEMETRY=0).

And for `sam local invoke|start-api|start-lambda`, unless given: --skip-pull-image (use the local
stand-in base image, never contact a registry) and --container-host / --container-host-interface
127.0.0.1, so every command typed as for stock SAM works here.
"""

import os
import random
import socket
import sys

os.environ["SAM_CLI_TELEMETRY"] = "0"

import docker.models.containers  # noqa: E402  (after the environment is set)
from samcli.commands.local.cli_common import invoke_context  # noqa: E402
from samcli.lib.utils import version_checker  # noqa: E402

RIE = "/var/rapid/aws-lambda-rie"
PLACEHOLDER_ACCOUNT_ID = "123456789012"


def _free_loopback_port(avoid):
    """A port free on 127.0.0.1, outside SAM's own range (5000-9000) so the two never collide."""
    for _ in range(200):
        port = random.randrange(20000, 30000)
        if port == avoid:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("sam_offline: no free loopback port for the Lambda Runtime API")


_create = docker.models.containers.ContainerCollection.create


def _create_in_host_mode(self, image, command=None, **kwargs):
    entrypoint = kwargs.get("entrypoint")
    if isinstance(entrypoint, list) and entrypoint and entrypoint[0] == RIE:
        ports = kwargs.pop("ports", None) or {}
        published = ports.get("8080") or ports.get("8080/tcp")
        if not published:
            raise RuntimeError(f"sam_offline: SAM published no port for the RIE: {ports!r}")
        interface, port = published
        if interface not in ("127.0.0.1", "localhost"):
            raise RuntimeError(f"sam_offline: the RIE would listen on {interface}; only loopback is allowed")
        if len(ports) > 1:
            # Debug ports (sam local invoke -d): in host mode the debugger listens on its own port already.
            sys.stderr.write(f"sam_offline: in host network mode, ports {sorted(ports)} are not remapped\n")
        kwargs["network_mode"] = "host"
        kwargs["entrypoint"] = entrypoint + [
            "--runtime-interface-emulator-address",
            f"127.0.0.1:{port}",
            "--runtime-api-address",
            f"127.0.0.1:{_free_loopback_port(port)}",
        ]
    return _create(self, image, command, **kwargs)


def _account_id_without_sts(self):
    overrides = self._global_parameter_overrides or {}
    overrides.setdefault("AWS::AccountId", PLACEHOLDER_ACCOUNT_ID)
    self._global_parameter_overrides = overrides


docker.models.containers.ContainerCollection.create = _create_in_host_mode
invoke_context.InvokeContext._add_account_id_to_global = _account_id_without_sts
version_checker._inform_newer_version = lambda force_check=False: None

LOCAL_DEFAULTS = {
    "--skip-pull-image": [],
    "--container-host": ["127.0.0.1"],
    "--container-host-interface": ["127.0.0.1"],
}


def _with_local_defaults(argv):
    if len(argv) > 2 and argv[1] == "local" and argv[2] in ("invoke", "start-api", "start-lambda"):
        given = {a.split("=", 1)[0] for a in argv}
        for option, value in LOCAL_DEFAULTS.items():
            if option not in given:
                argv = argv + [option] + value
    return argv


if __name__ == "__main__":
    from samcli.cli.main import cli

    sys.argv = _with_local_defaults(["sam"] + sys.argv[1:])
    cli(prog_name="sam")
