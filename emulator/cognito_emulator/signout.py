"""GlobalSignOut and RevokeToken (moto lacks RevokeToken)."""

from .errors import UnauthorizedException, UnsupportedOperationException, UnsupportedTokenTypeException
from .lookup import claims, find_client, user_for_access_token


def global_sign_out(resp) -> None:
    """Revokes all the user's refresh and access tokens (moto's sign_out does both)."""
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    pool.sign_out(user.username)


def revoke_token(resp) -> None:
    """Revoke one refresh token and every access/ID token minted from it. Tokens minted from a
    refresh token carry its origin_jti, so that claim finds them; other sessions live on."""
    token = resp._get_param("Token") or ""
    _, pool, client = find_client(resp._get_param("ClientId"))
    if client.generate_secret and resp._get_param("ClientSecret") != client.secret:
        raise UnauthorizedException("Invalid client secret")
    if not client.extended_config.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException("Token revocation is not enabled for this client")
    if claims(token):
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked")
    entry = pool.refresh_tokens.get(token)
    if entry is None or entry[0] != client.id:
        return  # unknown, already revoked or another client's: Cognito answers success
    origin_jti = entry[2]
    pool.refresh_tokens[token] = None
    for issued in (pool.access_tokens, pool.id_tokens):
        for jwt in [t for t in issued if claims(t).get("origin_jti") == origin_jti]:
            del issued[jwt]
