"""RevokeToken, GlobalSignOut, DeleteUser."""

from conftest import PASSWORD, raises, secret_hash


def refresh(idp, pool, refresh_token: str) -> dict:
    return idp.initiate_auth(
        ClientId=pool["clientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
    )["AuthenticationResult"]


def test_revoke_token_ends_only_that_session(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    first, second = emulator.tokens(pool, user), emulator.tokens(pool, user)
    refreshed = refresh(idp, pool, first["RefreshToken"])
    idp.revoke_token(Token=first["RefreshToken"], ClientId=pool["clientId"])
    for access_token in (first["AccessToken"], refreshed["AccessToken"]):
        with raises("NotAuthorizedException"):
            idp.get_user(AccessToken=access_token)
    with raises("NotAuthorizedException"):
        refresh(idp, pool, first["RefreshToken"])
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == user
    assert refresh(idp, pool, second["RefreshToken"])["AccessToken"]


def test_revoke_unknown_token_succeeds_and_access_tokens_are_refused(emulator, idp, pool):
    idp.revoke_token(Token="not-a-refresh-token-we-issued", ClientId=pool["clientId"])
    access_token = emulator.tokens(pool, emulator.confirmed_user(pool))["AccessToken"]
    with raises("UnsupportedTokenTypeException"):
        idp.revoke_token(Token=access_token, ClientId=pool["clientId"])


def test_revoke_token_checks_the_client_secret(emulator, idp):
    pool = emulator.new_pool(clientSecret=True)
    emulator.sign_up(pool, username="sec", SecretHash=secret_hash(pool, "sec"))
    idp.admin_confirm_sign_up(UserPoolId=pool["userPoolId"], Username="sec")
    tokens = idp.initiate_auth(
        ClientId=pool["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "sec", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(pool, "sec")},
    )["AuthenticationResult"]
    with raises("UnauthorizedException"):
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId=pool["clientId"], ClientSecret="wrong-secret-" * 3)
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=pool["clientId"], ClientSecret=pool["clientSecret"])
    with raises("NotAuthorizedException"):
        idp.get_user(AccessToken=tokens["AccessToken"])


def test_global_sign_out_revokes_access_and_refresh_tokens(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    first, second = emulator.tokens(pool, user), emulator.tokens(pool, user)
    idp.global_sign_out(AccessToken=first["AccessToken"])
    for tokens in (first, second):
        with raises("NotAuthorizedException", "Access Token has been revoked"):
            idp.get_user(AccessToken=tokens["AccessToken"])
        with raises("NotAuthorizedException"):
            refresh(idp, pool, tokens["RefreshToken"])
    assert emulator.tokens(pool, user)["AccessToken"]  # signing in again works


def test_delete_user(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    tokens = emulator.tokens(pool, user)
    idp.delete_user(AccessToken=tokens["AccessToken"])
    with raises("NotAuthorizedException"):
        idp.get_user(AccessToken=tokens["AccessToken"])
    with raises("NotAuthorizedException"):
        refresh(idp, pool, tokens["RefreshToken"])
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.login(pool, user)
    with raises("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)
    emulator.confirmed_user(pool, username=user)  # the name is free again


def test_admin_deleted_users_token_does_not_reach_a_new_user_of_that_name(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    idp.admin_delete_user(UserPoolId=pool["userPoolId"], Username=user)
    emulator.confirmed_user(pool, username=user)
    with raises("NotAuthorizedException"):
        idp.get_user(AccessToken=token)


def test_a_refresh_keeps_the_sign_ins_auth_time(emulator, idp, pool):
    import base64
    import json
    import time

    def claims(token: str) -> dict:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    signed_in = emulator.tokens(pool, emulator.confirmed_user(pool))
    time.sleep(1.1)
    refreshed = refresh(idp, pool, signed_in["RefreshToken"])
    for kind in ("AccessToken", "IdToken"):
        before, after = claims(signed_in[kind]), claims(refreshed[kind])
        assert after["auth_time"] == before["auth_time"], kind
        assert after["iat"] > before["iat"], kind
