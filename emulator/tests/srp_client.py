"""A minimal client side of Cognito's SRP for the emulator's own tests (the Rust API's integration tests
check the server against an independent client crate)."""

import base64
import hashlib
import hmac
import secrets

from cognito_emulator.srp import G, K, N, _hash_hex, _hkdf, _pad_hex



def srp_login(idp, pool: dict, username: str, password: str, auth_flow: str = "USER_SRP_AUTH") -> dict:
    """InitiateAuth USER_SRP_AUTH (or USER_AUTH with PREFERRED_CHALLENGE=PASSWORD_SRP), then the
    PASSWORD_VERIFIER answer; returns the second response."""
    a = secrets.randbits(1024)
    a_public = pow(G, a, N)
    parameters = {"USERNAME": username, "SRP_A": format(a_public, "x")}
    if auth_flow == "USER_AUTH":
        parameters["PREFERRED_CHALLENGE"] = "PASSWORD_SRP"
    started = idp.initiate_auth(ClientId=pool["clientId"], AuthFlow=auth_flow, AuthParameters=parameters)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER", started
    return srp_verify(idp, pool, started, a, a_public, password)


def srp_verify(idp, pool: dict, started: dict, a: int, a_public: int, password: str) -> dict:
    """The PASSWORD_VERIFIER answer to a challenge started with SRP_A = a_public."""
    p = started["ChallengeParameters"]
    user_id, b_public, salt = p["USER_ID_FOR_SRP"], int(p["SRP_B"], 16), int(p["SALT"], 16)
    pool_name = pool["userPoolId"].split("_", 1)[1]
    u = int(_hash_hex(_pad_hex(a_public) + _pad_hex(b_public)), 16)
    identity = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(_hash_hex(_pad_hex(salt) + identity), 16)
    shared = pow(b_public - K * pow(G, x, N), a + u * x, N)
    key = _hkdf(bytes.fromhex(_pad_hex(shared)), bytes.fromhex(_pad_hex(u)))
    timestamp = "Wed Nov 26 13:00:00 UTC 2026"
    message = pool_name.encode() + user_id.encode() + base64.b64decode(p["SECRET_BLOCK"]) + timestamp.encode()
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return idp.respond_to_auth_challenge(
        ClientId=pool["clientId"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses={
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        },
    )
