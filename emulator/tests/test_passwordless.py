"""Passwordless sign-up, the Session chain SignUp -> ConfirmSignUp -> InitiateAuth USER_AUTH, and
GetUserAuthFactors."""

import uuid

import pytest

from conftest import PASSWORD, raises


@pytest.fixture
def otp_pool(emulator):
    return emulator.new_pool(firstFactors=["PASSWORD", "EMAIL_OTP"])


def sign_up_without_password(idp, pool, username=None, **extra):
    username = username or f"user-{uuid.uuid4().hex[:8]}"
    attributes = extra.pop("UserAttributes", [{"Name": "email", "Value": f"{username}@example.com"}])
    response = idp.sign_up(ClientId=pool["clientId"], Username=username, UserAttributes=attributes, **extra)
    return username, response


def test_passwordless_sign_up_then_sign_in_with_the_sign_up_session(emulator, idp, otp_pool):
    username, signed_up = sign_up_without_password(idp, otp_pool)
    assert signed_up["UserConfirmed"] is False and signed_up["Session"]
    assert signed_up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = emulator.last_code(otp_pool, username, "SIGN_UP")
    confirmed = idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username=username, ConfirmationCode=code, Session=signed_up["Session"])
    assert confirmed["Session"] and confirmed["Session"] != signed_up["Session"]
    result = emulator.user_auth(otp_pool, username, session=confirmed["Session"])  # no second code
    tokens = result["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == username
    with raises("NotAuthorizedException", "Invalid session for the user."):  # single use
        emulator.user_auth(otp_pool, username, session=confirmed["Session"])
    # The user has no password; the email (verified by the sign-up code) is their factor.
    assert idp.get_user_auth_factors(AccessToken=tokens["AccessToken"])["ConfiguredUserAuthFactors"] == ["EMAIL_OTP"]
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.login(otp_pool, username, PASSWORD)
    selection = emulator.user_auth(otp_pool, username)
    assert selection["ChallengeName"] == "SELECT_CHALLENGE" and selection["AvailableChallenges"] == ["EMAIL_OTP"]
    challenge = emulator.user_auth(otp_pool, username, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = emulator.last_code(otp_pool, username, "EMAIL_OTP")
    assert emulator.answer(otp_pool, challenge, username, EMAIL_OTP_CODE=code)["AuthenticationResult"]


def test_confirm_without_session_gives_none_and_the_session_is_for_a_first_sign_in_only(emulator, idp, otp_pool):
    username, signed_up = sign_up_without_password(idp, otp_pool)
    code = emulator.last_code(otp_pool, username, "SIGN_UP")
    assert "Session" not in idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username=username, ConfirmationCode=code)
    # A password user: Session too; but after another sign-in it is worth nothing.
    signed_up = idp.sign_up(
        ClientId=otp_pool["clientId"], Username="pat", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "pat@example.com"}]
    )
    code = emulator.last_code(otp_pool, "pat", "SIGN_UP")
    session = idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username="pat", ConfirmationCode=code, Session=signed_up["Session"])["Session"]
    assert emulator.login(otp_pool, "pat")["AuthenticationResult"]
    with raises("NotAuthorizedException", "Invalid session for the user."):
        emulator.user_auth(otp_pool, "pat", session=session)


def test_sign_up_sessions_are_checked(emulator, idp, otp_pool):
    first, first_signed_up = sign_up_without_password(idp, otp_pool)
    second, _ = sign_up_without_password(idp, otp_pool)
    code = emulator.last_code(otp_pool, second, "SIGN_UP")
    for session in (first_signed_up["Session"], "x" * 40):  # another user's, or made up
        with raises("NotAuthorizedException", "Invalid session for the user."):
            idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username=second, ConfirmationCode=code, Session=session)
    # The code was not used up by the refusals.
    confirmed = idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username=second, ConfirmationCode=code)
    assert confirmed.get("Session") is None
    # A sign-up session is no sign-in session: it must go through ConfirmSignUp first.
    with raises("NotAuthorizedException", "Invalid session for the user."):
        emulator.user_auth(otp_pool, first, session=first_signed_up["Session"])


def test_without_a_passwordless_factor_sign_up_needs_a_password(emulator, idp):
    pool = emulator.new_pool()  # PASSWORD only
    for extra in ({}, {"Password": ""}):
        with raises("InvalidParameterException"):
            sign_up_without_password(idp, pool, **extra)
    otp_pool = emulator.new_pool(firstFactors=["PASSWORD", "EMAIL_OTP"])
    with raises("InvalidParameterException"):  # no email, the only passwordless factor
        sign_up_without_password(idp, otp_pool, UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    sms_pool = emulator.new_pool(firstFactors=["PASSWORD", "SMS_OTP"])
    with raises("InvalidParameterException"):  # phone_number is not auto-verified in this pool
        sign_up_without_password(idp, sms_pool, UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    # The client must allow USER_AUTH.
    idp.update_user_pool_client(
        UserPoolId=otp_pool["userPoolId"], ClientId=otp_pool["clientId"], ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    with raises("InvalidParameterException"):
        sign_up_without_password(idp, otp_pool)
    assert emulator.messages(pool) == [] and emulator.messages(otp_pool) == []


def test_a_passwordless_user_can_set_a_password(emulator, idp, otp_pool):
    username, signed_up = sign_up_without_password(idp, otp_pool)
    code = emulator.last_code(otp_pool, username, "SIGN_UP")
    session = idp.confirm_sign_up(ClientId=otp_pool["clientId"], Username=username, ConfirmationCode=code, Session=signed_up["Session"])["Session"]
    token = emulator.user_auth(otp_pool, username, session=session)["AuthenticationResult"]["AccessToken"]
    with raises("InvalidPasswordException"):
        idp.change_password(AccessToken=token, ProposedPassword="weak")
    idp.change_password(AccessToken=token, ProposedPassword=PASSWORD)  # no PreviousPassword: there is none
    assert emulator.login(otp_pool, username)["AuthenticationResult"]
    assert idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    with raises("NotAuthorizedException"):  # now it has one, it is required
        idp.change_password(AccessToken=token, ProposedPassword="An0ther-password")


def test_get_user_auth_factors(emulator, idp):
    pool = emulator.new_pool()  # PASSWORD only
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    factors = idp.get_user_auth_factors(AccessToken=token)
    del factors["ResponseMetadata"]
    assert factors == {"Username": user, "ConfiguredUserAuthFactors": ["PASSWORD"]}  # no empty MFA fields
    with raises("NotAuthorizedException", "Invalid Access Token"):
        idp.get_user_auth_factors(AccessToken="garbage")
