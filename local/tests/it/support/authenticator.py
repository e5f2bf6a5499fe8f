"""A software WebAuthn authenticator for the Rust HTTP tests (local/tests/it/passkeys.rs and others):
the emulator's own test authenticator (emulator/tests/soft_authenticator.py, real keys and CBOR),
driven over stdin/stdout, one JSON command a line:
  {"op": "create", "options": {...CredentialCreationOptions}, "origin": "...", "rpId"?: "..."}
      -> the RegistrationResponseJSON (object)
  {"op": "get", "options": {...credentialRequestOptions}, "origin": "...", "forge"?: bool, "bump"?: int}
      -> the AuthenticationResponseJSON (object)
The authenticator (its key, credential id and counter) lives as long as the process."""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[4] / "emulator" / "tests"))
from soft_authenticator import Authenticator  # noqa: E402

authenticator = Authenticator()
for line in sys.stdin:
    command = json.loads(line)
    if command["op"] == "create":
        answer = authenticator.create(command["options"], command["origin"], rp_id=command.get("rpId"))
    else:
        answer = json.loads(
            authenticator.get(
                json.dumps(command["options"]),
                command["origin"],
                forge=command.get("forge", False),
                bump=command.get("bump", 1),
            )
        )
    print(json.dumps(answer), flush=True)
