"""Finding clients, users and token owners across moto's Cognito backends.

App-facing Cognito calls are unsigned, so the region is not known from the request; like
moto's RegionAgnosticBackend we search every account/region backend.
"""

import base64
import json
import time
from collections.abc import Iterator

from moto.cognitoidp.models import cognitoidp_backends
from moto.cognitoidp.utils import check_secret_hash as _secret_hash_matches

from .errors import NotAuthorizedException, ResourceNotFoundException


def all_backends() -> Iterator:
    for account_backends in cognitoidp_backends.values():
        for region, backend in account_backends.items():
            if region != "global":
                yield backend


def find_pool(pool_id: str):
    for backend in all_backends():
        if pool_id in backend.user_pools:
            return backend, backend.user_pools[pool_id]
    raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")


def find_client(client_id: str):
    """(backend, pool, client) owning an app client id."""
    for backend in all_backends():
        for pool in backend.user_pools.values():
            if client_id in pool.clients:
                return backend, pool, pool.clients[client_id]
    raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")


def find_user(pool, name: str | None):
    """A user by username, sub, or sign-in alias, as Cognito resolves USERNAME."""
    if not name:
        return None
    user = pool._get_user(name)  # username, or email/phone in username-attribute pools
    if user:
        return user
    aliases = pool.extended_config.get("AliasAttributes", [])
    for user in pool.users.values():
        if user.id == name:
            return user
        for alias in aliases:
            # Email and phone only count as aliases once verified.
            verified = alias == "preferred_username" or user.attribute_lookup.get(f"{alias}_verified") == "true"
            if verified and user.attribute_lookup.get(alias) == name:
                return user
    return None


def prevents_existence_errors(client) -> bool:
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def check_secret_hash(client, username: str, secret_hash: str | None) -> None:
    """Real Cognito demands SECRET_HASH on every client call when the client has a secret."""
    if not client.generate_secret:
        return
    if not secret_hash:
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not _secret_hash_matches(client.secret, client.id, username or "", secret_hash):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def claims(token: str) -> dict:
    """The payload of a JWT we issued, unverified (we only read our own tokens); {} if not a JWT."""
    try:
        payload = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}


def user_for_access_token(token: str | None):
    """(backend, pool, user) an access token belongs to; NotAuthorizedException otherwise."""
    for backend in all_backends():
        for pool in backend.user_pools.values():
            entry = pool.access_tokens.get(token)
            if entry is None:
                continue
            if claims(token).get("exp", 0) < time.time():
                raise NotAuthorizedException("Access Token has expired")
            user = pool._get_user(entry[1])
            # The sub check keeps a deleted user's tokens from reaching a new user of the same name.
            if user is None or claims(token).get("sub") != user.id:
                raise NotAuthorizedException("User does not exist.")
            if not user.enabled:
                raise NotAuthorizedException("User is disabled.")
            return backend, pool, user
    # A well-formed token of ours that is no longer stored was revoked (sign-out, RevokeToken).
    if claims(token or "").get("token_use") == "access":
        raise NotAuthorizedException("Access Token has been revoked")
    raise NotAuthorizedException("Invalid Access Token")
