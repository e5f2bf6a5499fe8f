"""InitiateAuth (USER_PASSWORD_AUTH, USER_SRP_AUTH), NEW_PASSWORD_REQUIRED, bad tokens/sessions."""

import pytest

from conftest import PASSWORD, raises
from srp_client import srp_login


def test_password_login_gives_tokens(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    result = emulator.login(pool, user)["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(result)
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == user


def test_users_are_found_by_sub_too(emulator, idp, pool):
    user = emulator.sign_up(pool)
    sub = idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    assert idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=sub)["Username"] == user
    with raises("UserNotFoundException", "User does not exist."):
        idp.admin_get_user(UserPoolId=pool["userPoolId"], Username="ghost")


def test_wrong_password_and_unknown_user_look_the_same(emulator, pool):
    user = emulator.confirmed_user(pool)
    with raises("NotAuthorizedException", "Incorrect username or password.") as wrong:
        emulator.login(pool, user, "Wr0ng-password")
    with raises("NotAuthorizedException", "Incorrect username or password.") as unknown:
        emulator.login(pool, "ghost")
    assert wrong.value.response["Error"] == unknown.value.response["Error"]


def test_unknown_user_without_prevention(emulator, idp, pool):
    idp.update_user_pool_client(UserPoolId=pool["userPoolId"], ClientId=pool["clientId"], PreventUserExistenceErrors="LEGACY")
    with raises("UserNotFoundException"):
        emulator.login(pool, "ghost")


def test_unconfirmed_user(emulator, pool):
    user = emulator.sign_up(pool)
    with raises("NotAuthorizedException"):
        emulator.login(pool, user, "Wr0ng-password")
    with raises("UserNotConfirmedException"):
        emulator.login(pool, user)


def test_reset_required_user(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    idp.admin_reset_user_password(UserPoolId=pool["userPoolId"], Username=user)
    with raises("PasswordResetRequiredException"):
        emulator.login(pool, user)


def test_disabled_user(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    idp.admin_disable_user(UserPoolId=pool["userPoolId"], Username=user)
    with raises("NotAuthorizedException", "User is disabled."):
        emulator.login(pool, user)


def test_new_password_required(emulator, idp, pool):
    idp.admin_create_user(
        UserPoolId=pool["userPoolId"],
        Username="invited",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        MessageAction="SUPPRESS",
    )
    challenge = emulator.login(pool, "invited", "Temp0rary!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert '"email":"invited@example.com"' in challenge["ChallengeParameters"]["userAttributes"]
    answer = {"USERNAME": "invited", "NEW_PASSWORD": "weak"}
    with raises("InvalidPasswordException"):
        idp.respond_to_auth_challenge(
            ClientId=pool["clientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"], ChallengeResponses=answer
        )
    answer["NEW_PASSWORD"] = "N3w-password"
    answer["userAttributes.name"] = "Invited Person"
    result = idp.respond_to_auth_challenge(
        ClientId=pool["clientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"], ChallengeResponses=answer
    )["AuthenticationResult"]
    profile = idp.get_user(AccessToken=result["AccessToken"])
    assert {"Name": "name", "Value": "Invited Person"} in profile["UserAttributes"]
    assert emulator.login(pool, "invited", "N3w-password")["AuthenticationResult"]


def test_srp_login_checks_the_password(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    result = srp_login(idp, pool, user, PASSWORD)
    assert result["AuthenticationResult"]["AccessToken"]
    with raises("NotAuthorizedException", "Incorrect username or password."):
        srp_login(idp, pool, user, "Wr0ng-Password!")
    with raises("NotAuthorizedException", "Incorrect username or password."):
        idp.initiate_auth(ClientId=pool["clientId"], AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "ghost", "SRP_A": "abc"})


def test_refresh_token_auth(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    refresh = emulator.tokens(pool, user)["RefreshToken"]
    result = idp.initiate_auth(ClientId=pool["clientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh})
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == user


def test_flows_not_enabled_for_the_client_are_refused(emulator, idp, pool):
    idp.update_user_pool_client(UserPoolId=pool["userPoolId"], ClientId=pool["clientId"], ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    user = emulator.confirmed_user(pool)
    with raises("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled"):
        emulator.login(pool, user)


def test_garbage_session_is_refused(idp, pool):
    for session in ("garbage-" * 4, "x" * 40):
        with raises("NotAuthorizedException", "Invalid session for the user."):
            idp.respond_to_auth_challenge(
                ClientId=pool["clientId"],
                ChallengeName="SMS_MFA",
                Session=session,
                ChallengeResponses={"USERNAME": "someone", "SMS_MFA_CODE": "123456"},
            )


ACCESS_TOKEN_CALLS = {
    "get_user": {},
    "update_user_attributes": {"UserAttributes": [{"Name": "name", "Value": "x"}]},
    "change_password": {"PreviousPassword": PASSWORD, "ProposedPassword": "N3w-password"},
    "set_user_mfa_preference": {"SoftwareTokenMfaSettings": {"Enabled": False}},
    "associate_software_token": {},
    "verify_software_token": {"UserCode": "123456"},
    "get_user_attribute_verification_code": {"AttributeName": "email"},
    "verify_user_attribute": {"AttributeName": "email", "Code": "123456"},
    "delete_user_attributes": {"UserAttributeNames": ["name"]},
    "delete_user": {},
    "global_sign_out": {},
}


@pytest.mark.parametrize("operation", sorted(ACCESS_TOKEN_CALLS))
def test_garbage_or_revoked_access_token(emulator, idp, pool, operation):
    user = emulator.confirmed_user(pool)
    revoked = emulator.tokens(pool, user)["AccessToken"]
    idp.admin_user_global_sign_out(UserPoolId=pool["userPoolId"], Username=user)
    call = getattr(idp, operation)
    with raises("NotAuthorizedException", "Invalid Access Token"):
        call(AccessToken="garbage-token", **ACCESS_TOKEN_CALLS[operation])
    with raises("NotAuthorizedException", "Access Token has been revoked"):
        call(AccessToken=revoked, **ACCESS_TOKEN_CALLS[operation])
