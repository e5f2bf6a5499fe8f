"""Challenge sessions: the opaque Session strings between InitiateAuth and the final tokens.

moto keeps one shared session per login and forgets none; Cognito hands out a new session for
each challenge, each valid once and for the client's AuthSessionValidity (3 minutes by default).
"""

import secrets
import time
from dataclasses import dataclass, field

from .errors import EXPIRED_SESSION, INVALID_SESSION, NotAuthorizedException


@dataclass
class Session:
    pool_id: str
    client_id: str
    user_sub: str | None  # None for a simulated challenge (unknown user, PreventUserExistenceErrors)
    challenge: str
    expires_at: float
    totp_verified: bool = False  # MFA_SETUP: VerifySoftwareToken succeeded with this session
    data: dict = field(default_factory=dict)  # per-challenge state, e.g. AvailableChallenges (userauth.py)


_sessions: dict[str, Session] = {}

# 634 random bytes are 846 base64url characters, the length of AWS's published sample session.
SESSION_BYTES = 634


def validity_seconds(pool, client_id: str) -> int:
    """The client's AuthSessionValidity (minutes, 3 by default) in seconds."""
    client = pool.clients.get(client_id)
    return int(client.extended_config.get("AuthSessionValidity", 3) if client else 3) * 60


def open_session(pool, client_id: str, user, challenge: str, totp_verified: bool = False, **data) -> str:
    """A new single-use session; `user` is None for a simulated challenge."""
    # As long and opaque as a real one: AWS's sessions are AWS Encryption SDK messages (base64url of a
    # KMS-wrapped envelope) whose length varies with their content; AWS's own published sample (the
    # InitiateAuth SOFTWARE_TOKEN_MFA example of the API reference and SDKs) is 846 characters, a
    # third-party capture of a NEW_PASSWORD_REQUIRED session 780. The variation is not modelled.
    token = secrets.token_urlsafe(SESSION_BYTES)
    expires_at = time.time() + validity_seconds(pool, client_id)
    _sessions[token] = Session(pool.id, client_id, user.id if user else None, challenge, expires_at, totp_verified, data)
    return token


def get_session(token: str | None, challenge: str, client_id: str | None = None) -> Session:
    """The live session for `challenge`, or NotAuthorizedException as Cognito answers."""
    session = _sessions.get(token or "")
    if session is None or session.challenge != challenge or client_id not in (None, session.client_id):
        raise NotAuthorizedException(INVALID_SESSION)
    if time.time() >= session.expires_at:
        del _sessions[token]
        raise NotAuthorizedException(EXPIRED_SESSION)
    return session


def close_session(token: str) -> None:
    _sessions.pop(token, None)
