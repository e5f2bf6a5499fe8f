"""`auth_time` as AWS sets it: the time the user authenticated, which a refresh does not change.

moto stamps every new token with the current time, so a refreshed access token looked freshly signed
in. AWS documents `auth_time` as "the time when the user completed authentication" (developer guide,
"Understanding the access token" / "the ID token"); refreshing is not authenticating, so tokens from
REFRESH_TOKEN_AUTH keep the sign-in's `auth_time` (the API relies on it: adding a passkey needs a recent
sign-in). Tokens of one sign-in share moto's `origin_jti`, which keys the time here."""

import time

from moto.cognitoidp.models import CognitoIdpUserPool

_moto_create_jwt = CognitoIdpUserPool.create_jwt
_moto_create_refresh_token = CognitoIdpUserPool.create_refresh_token


def _auth_times(pool) -> dict:
    if not hasattr(pool, "_emulator_auth_times"):
        pool._emulator_auth_times = {}
    return pool._emulator_auth_times


def _create_refresh_token(self, client_id, username):
    refresh_token, origin_jti = _moto_create_refresh_token(self, client_id, username)
    _auth_times(self)[origin_jti] = int(time.time())
    return refresh_token, origin_jti


def _create_jwt(self, client_id, username, token_use, expires_in=60 * 60, extra_data=None):
    extra_data = dict(extra_data or {})
    signed_in_at = _auth_times(self).get(extra_data.get("origin_jti"))
    if signed_in_at is not None:
        extra_data.setdefault("auth_time", signed_in_at)
    return _moto_create_jwt(self, client_id, username, token_use, expires_in, extra_data)


def install() -> None:
    CognitoIdpUserPool.create_refresh_token = _create_refresh_token
    CognitoIdpUserPool.create_jwt = _create_jwt
