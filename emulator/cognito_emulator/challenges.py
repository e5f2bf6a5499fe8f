"""What every sign-in flow shares: the flows an app client allows and the shape of a challenge.

Used by the password flows (auth.py), the password factor (password.py) and choice-based sign-in
(userauth.py); it sits below them so that none of them has to import another for these.
"""

import json

from .sessions import open_session

# AWS API reference, UserPoolClientType ExplicitAuthFlows: "If you don't specify a value for
# ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and
# ALLOW_CUSTOM_AUTH."
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]


def client_allows(client, flow: str) -> bool:
    flows = client.extended_config.get("ExplicitAuthFlows") or DEFAULT_FLOWS
    legacy = {"ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH"}.get(flow, flow)
    return f"ALLOW_{flow}" in flows or legacy in flows


def compact(value) -> str:
    """JSON inside ChallengeParameters, spelled as Cognito does: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'."""
    return json.dumps(value, separators=(",", ":"))


def issue(pool, client, user, name: str, parameters: dict | None = None, token: str | None = None) -> dict:
    """A challenge answer for a known user, in a new session unless `token` is one already opened."""
    token = token or open_session(pool, client.id, user, name)
    return {
        "ChallengeName": name,
        "Session": token,
        "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, **(parameters or {})},
    }
