"""Choice-based sign-in: InitiateAuth USER_AUTH, SELECT_CHALLENGE, PASSWORD / PASSWORD_SRP / EMAIL_OTP /
SMS_OTP first factors, simulated challenges for unknown users, the code lockout."""

import re
import time

import pyotp
import pytest

from conftest import PASSWORD, raises, secret_hash
from srp_client import srp_login

ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


@pytest.fixture
def otp_pool(emulator):
    return emulator.new_pool(firstFactors=ALL_FACTORS)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def test_without_preference_the_user_selects_from_what_they_can_use(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)  # a password and a verified email, no phone
    started = emulator.user_auth(otp_pool, user)
    assert started["ChallengeName"] == "SELECT_CHALLENGE" and started["Session"]
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    assert "AuthenticationResult" not in started
    emulator.set_phone(otp_pool, user)  # verified
    assert emulator.user_auth(otp_pool, user)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    # A pool that allows only passwords (AWS's default) offers only those.
    pool = emulator.new_pool()
    assert emulator.user_auth(pool, emulator.confirmed_user(pool))["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_select_password_completes_in_the_same_request(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    started = emulator.user_auth(otp_pool, user)
    with raises("InvalidParameterException"):  # not offered to this user (no phone)
        emulator.answer(otp_pool, started, user, ANSWER="SMS_OTP")
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.answer(otp_pool, started, user, ANSWER="PASSWORD", PASSWORD="Wr0ng-password")
    started = emulator.user_auth(otp_pool, user)
    result = emulator.answer(otp_pool, started, user, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == user
    assert "AvailableChallenges" not in result
    with raises("NotAuthorizedException", "Invalid session for the user."):  # single use
        emulator.answer(otp_pool, started, user, ANSWER="PASSWORD", PASSWORD=PASSWORD)


def test_select_password_without_it_asks_for_it(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    chosen = emulator.answer(otp_pool, emulator.user_auth(otp_pool, user), user, ANSWER="PASSWORD")
    assert chosen["ChallengeName"] == "PASSWORD" and "AvailableChallenges" not in chosen
    with raises("InvalidParameterException", "Missing required parameter PASSWORD"):
        emulator.answer(otp_pool, chosen, user)
    assert emulator.answer(otp_pool, chosen, user, PASSWORD=PASSWORD)["AuthenticationResult"]["AccessToken"]


def test_preferred_password_with_the_password_in_initiate_auth(emulator, idp, otp_pool):
    """What Amplify sends: PREFERRED_CHALLENGE=PASSWORD and PASSWORD in one InitiateAuth."""
    user = emulator.confirmed_user(otp_pool)
    result = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert result["AuthenticationResult"]["AccessToken"] and "AvailableChallenges" not in result
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wr0ng-password")
    # Without the password: the PASSWORD challenge, with what else the user could have chosen.
    asked = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="PASSWORD")
    assert asked["ChallengeName"] == "PASSWORD" and asked["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    # MFA follows a password, as in USER_PASSWORD_AUTH.
    token = result["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    mfa = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AvailableChallenges" not in mfa
    assert emulator.answer(otp_pool, mfa, user, SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(secret).now())["AuthenticationResult"]


def test_password_srp_through_user_auth(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    result = srp_login(idp, otp_pool, user, PASSWORD, auth_flow="USER_AUTH")
    assert result["AuthenticationResult"]["AccessToken"]
    with raises("NotAuthorizedException", "Incorrect username or password."):
        srp_login(idp, otp_pool, user, "Wr0ng-Password!", auth_flow="USER_AUTH")
    chosen = emulator.answer(otp_pool, emulator.user_auth(otp_pool, user), user, ANSWER="PASSWORD_SRP")
    assert chosen["ChallengeName"] == "PASSWORD_SRP"


def test_email_otp_sign_in(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool, email="ola@example.org")
    challenge = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "o***@e***.org"
    assert challenge["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    message = emulator.messages(otp_pool, user)[-1]
    assert (message["kind"], message["destination"], message["deliveryMedium"]) == ("EMAIL_OTP", "ola@example.org", "EMAIL")
    assert re.fullmatch(r"\d{8}", message["code"])  # sign-in email codes are 8 digits
    with raises("CodeMismatchException"):
        emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=wrong(message["code"]))
    with raises("InvalidParameterException", "Missing required parameter EMAIL_OTP_CODE"):
        emulator.answer(otp_pool, challenge, user)
    result = emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=message["code"])  # same session after a wrong code
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == user
    with raises("NotAuthorizedException", "Invalid session for the user."):
        emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=message["code"])


def test_email_otp_chosen_in_select_challenge(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    chosen = emulator.answer(otp_pool, emulator.user_auth(otp_pool, user), user, ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP" and "AvailableChallenges" not in chosen
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    assert emulator.answer(otp_pool, chosen, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]


def test_sms_otp_sign_in(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    emulator.set_phone(otp_pool, user)
    challenge = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="SMS_OTP")
    assert challenge["ChallengeName"] == "SMS_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1234"
    message = emulator.messages(otp_pool, user)[-1]
    assert (message["kind"], message["destination"], message["deliveryMedium"]) == ("SMS_OTP", "+15555551234", "SMS")
    assert re.fullmatch(r"\d{6}", message["code"])
    with raises("CodeMismatchException"):
        emulator.answer(otp_pool, challenge, user, SMS_OTP_CODE=wrong(message["code"]))
    assert emulator.answer(otp_pool, challenge, user, SMS_OTP_CODE=message["code"])["AuthenticationResult"]


def test_an_expired_code_ends_the_session(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    challenge = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    emulator.expire_codes(otp_pool, user)
    with raises("NotAuthorizedException", "Invalid session for the user, session is expired."):
        emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=code)
    with raises("NotAuthorizedException", "Invalid session for the user."):
        emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=code)


def test_codes_belong_to_their_session(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    first = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    first_code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    second = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    second_code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    if first_code != second_code:  # one in 10^8 they collide
        with raises("CodeMismatchException"):
            emulator.answer(otp_pool, second, user, EMAIL_OTP_CODE=first_code)
    assert emulator.answer(otp_pool, first, user, EMAIL_OTP_CODE=first_code)["AuthenticationResult"]
    assert emulator.answer(otp_pool, second, user, EMAIL_OTP_CODE=second_code)["AuthenticationResult"]


def test_five_wrong_codes_lock_the_user_out_for_a_second(emulator, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    challenge = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    for _ in range(5):
        with raises("CodeMismatchException"):
            emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=wrong(code))
    with raises("NotAuthorizedException", "Password attempts exceeded"):  # even the right code
        emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=code)
    with raises("NotAuthorizedException", "Password attempts exceeded"):  # and every sign-in path
        emulator.login(otp_pool, user)
    time.sleep(1.1)
    # The lockout has passed; the session is still alive and the code still good.
    assert emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]
    assert emulator.login(otp_pool, user)["AuthenticationResult"]  # the success reset the count


def test_a_preferred_challenge_the_user_cannot_use_falls_back_to_select(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    fallback = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="SMS_OTP")  # no phone
    assert fallback["ChallengeName"] == "SELECT_CHALLENGE" and "SMS_OTP" not in fallback["AvailableChallenges"]
    assert emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="WEB_AUTHN")["ChallengeName"] == "SELECT_CHALLENGE"
    with raises("InvalidParameterException"):
        emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="CUSTOM_CHALLENGE")
    # A changed, not yet verified email is no code factor.
    token = emulator.tokens(otp_pool, user)["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.net"}])
    assert emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # A user with a temporary password can only use it (then NEW_PASSWORD_REQUIRED).
    idp.admin_create_user(
        UserPoolId=otp_pool["userPoolId"],
        Username="invited",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    started = emulator.user_auth(otp_pool, "invited", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE" and started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert emulator.answer(otp_pool, started, "invited", ANSWER="PASSWORD", PASSWORD="Temp0rary!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_pool_that_requires_mfa_offers_no_code_factor(emulator):
    pool = emulator.new_pool(mfa="ON", firstFactors=ALL_FACTORS)
    user = emulator.confirmed_user(pool)
    assert emulator.user_auth(pool, user)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_a_code_first_factor_ends_without_mfa(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    token = emulator.tokens(otp_pool, user)["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert emulator.login(otp_pool, user)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    challenge = emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = emulator.last_code(otp_pool, user, "EMAIL_OTP")
    assert emulator.answer(otp_pool, challenge, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]["AccessToken"]


def test_unknown_users_get_simulated_challenges(emulator, idp, otp_pool):
    challenge = emulator.user_auth(otp_pool, "ghost@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP" and challenge["Session"]
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "g***@e***.com"
    assert "EMAIL_OTP" in challenge["AvailableChallenges"]
    assert emulator.messages(otp_pool) == []  # nothing was sent
    for code in ("12345678", "00000000"):
        with raises("CodeMismatchException"):
            emulator.answer(otp_pool, challenge, "ghost@example.com", EMAIL_OTP_CODE=code)
    # Without a preference: a SELECT_CHALLENGE drawn from the pool's factors, the same every time.
    selection = emulator.user_auth(otp_pool, "ghost@example.com")
    assert selection["ChallengeName"] == "SELECT_CHALLENGE"
    offered = selection["AvailableChallenges"]
    assert offered and set(offered) <= {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}
    assert emulator.user_auth(otp_pool, "ghost@example.com")["AvailableChallenges"] == offered
    # A password for an unknown user fails exactly like a wrong one.
    with raises("NotAuthorizedException", "Incorrect username or password.") as unknown:
        emulator.user_auth(otp_pool, "ghost@example.com", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    user = emulator.confirmed_user(otp_pool)
    with raises("NotAuthorizedException", "Incorrect username or password.") as known:
        emulator.user_auth(otp_pool, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wr0ng-password")
    assert unknown.value.response["Error"] == known.value.response["Error"]
    idp.update_user_pool_client(
        UserPoolId=otp_pool["userPoolId"], ClientId=otp_pool["clientId"], PreventUserExistenceErrors="LEGACY"
    )
    with raises("UserNotFoundException"):
        emulator.user_auth(otp_pool, "ghost@example.com")


def test_user_auth_needs_allow_user_auth(emulator, idp, otp_pool):
    user = emulator.confirmed_user(otp_pool)
    idp.update_user_pool_client(
        UserPoolId=otp_pool["userPoolId"], ClientId=otp_pool["clientId"], ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    with raises("InvalidParameterException", "USER_AUTH flow not enabled for this client"):
        emulator.user_auth(otp_pool, user)
    # A client created without ExplicitAuthFlows gets AWS's default: refresh, SRP and custom only.
    bare = idp.create_user_pool_client(UserPoolId=otp_pool["userPoolId"], ClientName="bare")["UserPoolClient"]
    for flow, parameters in (("USER_AUTH", {"USERNAME": user}), ("USER_PASSWORD_AUTH", {"USERNAME": user, "PASSWORD": PASSWORD})):
        with raises("InvalidParameterException", f"{flow} flow not enabled for this client"):
            idp.initiate_auth(ClientId=bare["ClientId"], AuthFlow=flow, AuthParameters=parameters)


def test_user_auth_checks_username_secret_hash_and_disabled_users(emulator, idp):
    pool = emulator.new_pool(clientSecret=True, firstFactors=ALL_FACTORS)
    with raises("InvalidParameterException", "Missing required parameter USERNAME"):
        idp.initiate_auth(ClientId=pool["clientId"], AuthFlow="USER_AUTH", AuthParameters={})
    username = "sec"
    emulator.sign_up(pool, username=username, SecretHash=secret_hash(pool, username))
    idp.admin_confirm_sign_up(UserPoolId=pool["userPoolId"], Username=username)
    with raises("NotAuthorizedException", "configured for secret"):
        emulator.user_auth(pool, username)
    started = emulator.user_auth(pool, username, SECRET_HASH=secret_hash(pool, username))
    with raises("NotAuthorizedException", "configured for secret"):
        emulator.answer(pool, started, username, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert emulator.answer(pool, started, username, ANSWER="PASSWORD", PASSWORD=PASSWORD, SECRET_HASH=secret_hash(pool, username))[
        "AuthenticationResult"
    ]
    idp.admin_disable_user(UserPoolId=pool["userPoolId"], Username=username)
    with raises("NotAuthorizedException", "User is disabled."):
        emulator.user_auth(pool, username, SECRET_HASH=secret_hash(pool, username))


def test_the_lite_tier_has_no_user_auth(emulator):
    pool = emulator.new_pool(tier="LITE")
    user = emulator.confirmed_user(pool)
    with raises("FeatureUnavailableInTierException"):
        emulator.user_auth(pool, user)
    assert emulator.login(pool, user)["AuthenticationResult"]
