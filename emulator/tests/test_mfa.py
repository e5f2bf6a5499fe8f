"""TOTP association, MFA preferences, and the MFA challenges at login."""

import re
import time

import pyotp

from conftest import PASSWORD, raises, secret_hash
from srp_client import srp_login


def enable_totp(idp, access_token: str, preferred: bool = False) -> str:
    secret = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    idp.verify_software_token(AccessToken=access_token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": preferred})
    return secret


def answer(idp, pool, challenge: dict, username: str, **responses) -> dict:
    return idp.respond_to_auth_challenge(
        ClientId=pool["clientId"],
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, **responses},
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 10**6:06d}"


def test_associate_gives_a_fresh_160_bit_secret_each_time(emulator, idp, pool):
    token = emulator.tokens(pool, emulator.confirmed_user(pool))["AccessToken"]
    first = idp.associate_software_token(AccessToken=token)["SecretCode"]
    second = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert re.fullmatch(r"[A-Z2-7]{32}", first) and first != second
    with raises("EnableSoftwareTokenMFAException", "Code mismatch"):
        idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(first).now())  # replaced by the second
    assert idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(second).now())["Status"] == "SUCCESS"


def test_verify_tolerates_one_window_of_clock_skew(emulator, idp, pool):
    token = emulator.tokens(pool, emulator.confirmed_user(pool))["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    totp = pyotp.TOTP(secret)
    with raises("EnableSoftwareTokenMFAException"):
        idp.verify_software_token(AccessToken=token, UserCode=totp.at(time.time() - 120))
    assert idp.verify_software_token(AccessToken=token, UserCode=totp.at(time.time() - 30))["Status"] == "SUCCESS"


def test_mfa_preference_rules_and_get_user(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    profile = idp.get_user(AccessToken=token)
    assert "UserMFASettingList" not in profile and "PreferredMfaSetting" not in profile
    with raises("InvalidParameterException", "User has not set up software token mfa"):
        idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    with raises("InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA"):
        idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True})
    enable_totp(idp, token, preferred=True)
    profile = idp.get_user(AccessToken=token)
    assert profile["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and profile["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    profile = idp.get_user(AccessToken=token)
    assert "UserMFASettingList" not in profile and "PreferredMfaSetting" not in profile


def test_sms_mfa_login(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    idp.set_user_mfa_preference(AccessToken=emulator.tokens(pool, user)["AccessToken"], SMSMfaSettings={"Enabled": True})
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1234"
    message = emulator.messages(pool, user)[-1]
    assert (message["kind"], message["destination"], message["deliveryMedium"]) == ("SMS_MFA", "+15555551234", "SMS")
    with raises("CodeMismatchException"):
        answer(idp, pool, challenge, user, SMS_MFA_CODE=wrong(message["code"]))
    result = answer(idp, pool, challenge, user, SMS_MFA_CODE=message["code"])  # same session after a wrong code
    assert result["AuthenticationResult"]["AccessToken"]
    with raises("NotAuthorizedException", "Invalid session for the user."):
        answer(idp, pool, challenge, user, SMS_MFA_CODE=message["code"])


def test_sms_mfa_expired_code(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["userPoolId"], Username=user, SMSMfaSettings={"Enabled": True})
    challenge = emulator.login(pool, user)
    code = emulator.last_code(pool, user, "SMS_MFA")
    emulator.expire_codes(pool, user)
    with raises("ExpiredCodeException"):
        answer(idp, pool, challenge, user, SMS_MFA_CODE=code)


def test_totp_login_accepts_sub_as_username(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    tokens = emulator.tokens(pool, user)
    secret = enable_totp(idp, tokens["AccessToken"])
    sub = idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = pyotp.TOTP(secret).now()
    with raises("CodeMismatchException"):
        answer(idp, pool, challenge, user, SOFTWARE_TOKEN_MFA_CODE=wrong(code))
    result = answer(idp, pool, challenge, sub, SOFTWARE_TOKEN_MFA_CODE=code)
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == user


def test_both_methods_without_preference_ask_to_select(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    token = emulator.tokens(pool, user)["AccessToken"]
    secret = enable_totp(idp, token)
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True})
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'
    with raises("InvalidParameterException"):
        answer(idp, pool, challenge, user, ANSWER="EMAIL_OTP")
    following = answer(idp, pool, challenge, user, ANSWER="SOFTWARE_TOKEN_MFA")
    assert following["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    result = answer(idp, pool, following, user, SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(secret).now())
    assert result["AuthenticationResult"]["AccessToken"]
    # Choosing SMS instead leads to an SMS code.
    challenge = emulator.login(pool, user)
    following = answer(idp, pool, challenge, user, ANSWER="SMS_MFA")
    assert following["ChallengeName"] == "SMS_MFA"
    code = emulator.last_code(pool, user, "SMS_MFA")
    assert answer(idp, pool, following, user, SMS_MFA_CODE=code)["AuthenticationResult"]


def test_preferred_method_wins(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    token = emulator.tokens(pool, user)["AccessToken"]
    enable_totp(idp, token)
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert emulator.login(pool, user)["ChallengeName"] == "SMS_MFA"


def test_required_mfa_makes_the_user_set_up_totp(emulator, idp):
    pool = emulator.new_pool(mfa="ON", emailMfa=False)  # no email MFA: TOTP is all that is left
    user = emulator.confirmed_user(pool)
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    with raises("InvalidParameterException"):  # not verified yet
        answer(idp, pool, challenge, user)
    associated = idp.associate_software_token(Session=challenge["Session"])
    totp = pyotp.TOTP(associated["SecretCode"])
    with raises("EnableSoftwareTokenMFAException"):
        idp.verify_software_token(Session=associated["Session"], UserCode=wrong(totp.now()))
    verified = idp.verify_software_token(Session=associated["Session"], UserCode=totp.now())
    assert verified["Status"] == "SUCCESS" and verified["Session"] != associated["Session"]
    result = idp.respond_to_auth_challenge(
        ClientId=pool["clientId"], ChallengeName="MFA_SETUP", Session=verified["Session"], ChallengeResponses={"USERNAME": user}
    )
    assert result["AuthenticationResult"]["AccessToken"]
    assert emulator.login(pool, user)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_off_pool_ignores_user_settings(emulator, idp):
    pool = emulator.new_pool(mfa="OFF")
    user = emulator.confirmed_user(pool)
    enable_totp(idp, emulator.tokens(pool, user)["AccessToken"])
    assert "AuthenticationResult" in emulator.login(pool, user)


def test_challenge_answers_need_secret_hash(emulator, idp):
    pool = emulator.new_pool(clientSecret=True)
    username = "sec"
    emulator.sign_up(pool, username=username, SecretHash=secret_hash(pool, username))
    idp.admin_confirm_sign_up(UserPoolId=pool["userPoolId"], Username=username)
    emulator.set_phone(pool, username)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["userPoolId"], Username=username, SMSMfaSettings={"Enabled": True})
    challenge = idp.initiate_auth(
        ClientId=pool["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(pool, username)},
    )
    code = emulator.last_code(pool, username, "SMS_MFA")
    with raises("NotAuthorizedException", "configured for secret"):
        answer(idp, pool, challenge, username, SMS_MFA_CODE=code)
    result = answer(idp, pool, challenge, username, SMS_MFA_CODE=code, SECRET_HASH=secret_hash(pool, username))
    assert result["AuthenticationResult"]["AccessToken"]


def test_mfa_after_new_password_and_after_srp(emulator, idp):
    pool = emulator.new_pool(mfa="ON")
    idp.admin_create_user(UserPoolId=pool["userPoolId"], Username="newbie", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS")
    challenge = emulator.login(pool, "newbie", "Temp0rary!")
    following = answer(idp, pool, challenge, "newbie", NEW_PASSWORD=PASSWORD)
    assert following["ChallengeName"] == "MFA_SETUP"

    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)  # required MFA uses a verified phone as is
    verifier = srp_login(idp, pool, user, PASSWORD)
    assert verifier["ChallengeName"] == "SMS_MFA"
    code = emulator.last_code(pool, user, "SMS_MFA")
    assert answer(idp, pool, verifier, user, SMS_MFA_CODE=code)["AuthenticationResult"]


def attributes_of(idp, pool, username: str) -> dict:
    found = idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=username)["UserAttributes"]
    return {a["Name"]: a["Value"] for a in found}


def test_sms_mfa_needs_a_phone_number_but_not_a_verified_one(emulator, idp, pool):
    """AWS: no phone_number is refused; an unverified one is accepted (SMSMfaSettingsType), gets the
    SMS_MFA code, and the first successful SMS MFA marks it verified."""
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    for call in (
        lambda: idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True}),
        lambda: idp.admin_set_user_mfa_preference(UserPoolId=pool["userPoolId"], Username=user, SMSMfaSettings={"Enabled": True}),
    ):
        with raises("InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA"):
            call()
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    assert attributes_of(idp, pool, user)["phone_number_verified"] == "false"
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    profile = idp.get_user(AccessToken=token)
    assert profile["UserMFASettingList"] == ["SMS_MFA"] and profile["PreferredMfaSetting"] == "SMS_MFA"
    idp.admin_set_user_mfa_preference(UserPoolId=pool["userPoolId"], Username=user, SMSMfaSettings={"Enabled": True})

    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    message = emulator.messages(pool, user)[-1]
    assert (message["kind"], message["destination"]) == ("SMS_MFA", "+15555550123")
    with raises("CodeMismatchException"):
        answer(idp, pool, challenge, user, SMS_MFA_CODE=wrong(message["code"]))
    assert attributes_of(idp, pool, user)["phone_number_verified"] == "false"  # a wrong code proves nothing
    assert answer(idp, pool, challenge, user, SMS_MFA_CODE=message["code"])["AuthenticationResult"]
    assert attributes_of(idp, pool, user)["phone_number_verified"] == "true"
