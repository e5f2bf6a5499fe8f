"""Challenge sessions: the opaque Session strings between InitiateAuth and the final tokens.

moto keeps one shared session per login and forgets none; Cognito hands out a new session for
each challenge, each valid once and for the client's AuthSessionValidity (3 minutes by default).
"""

import secrets
import time
from dataclasses import dataclass

from .errors import INVALID_SESSION, NotAuthorizedException


@dataclass
class Session:
    pool_id: str
    client_id: str
    user_sub: str
    challenge: str
    expires_at: float
    totp_verified: bool = False  # MFA_SETUP: VerifySoftwareToken succeeded with this session


_sessions: dict[str, Session] = {}


def open_session(pool, client_id: str, user, challenge: str, totp_verified: bool = False) -> str:
    client = pool.clients.get(client_id)
    minutes = client.extended_config.get("AuthSessionValidity", 3) if client else 3
    token = secrets.token_urlsafe(96)  # as long and opaque as a real one
    _sessions[token] = Session(pool.id, client_id, user.id, challenge, time.time() + minutes * 60, totp_verified)
    return token


def get_session(token: str | None, challenge: str, client_id: str | None = None) -> Session:
    """The live session for `challenge`, or NotAuthorizedException as Cognito answers."""
    session = _sessions.get(token or "")
    if session is None or session.challenge != challenge or client_id not in (None, session.client_id):
        raise NotAuthorizedException(INVALID_SESSION)
    if time.time() >= session.expires_at:
        del _sessions[token]
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    return session


def close_session(token: str) -> None:
    _sessions.pop(token, None)
