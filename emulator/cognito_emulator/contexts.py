"""The UserContextData each Cognito call carried, for tests to read back (GET /_emulator/user-context).

AWS takes UserContextData {IpAddress, EncodedData} on SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, InitiateAuth and RespondToAuthChallenge (API reference,
UserContextDataType) and feeds it to threat protection, which the emulator does not model: it accepts
the parameter (as AWS does) and only records it. Guarded by the server's request lock.
"""

import json

_calls: list[dict] = []


def record(target: str, body: bytes) -> None:
    """Notes the UserContextData of one Cognito call (`target`: its X-Amz-Target)."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return
    if not isinstance(params, dict) or not isinstance(params.get("UserContextData"), dict):
        return
    context = params["UserContextData"]
    _calls.append(
        {
            "operation": target.rsplit(".", 1)[-1],
            "clientId": params.get("ClientId"),
            "ipAddress": context.get("IpAddress"),
            "encodedData": context.get("EncodedData"),
        }
    )


def calls(client_id: str | None) -> list[dict]:
    return [c for c in _calls if client_id is None or c["clientId"] == client_id]
