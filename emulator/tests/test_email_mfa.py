"""Email MFA: EmailMfaSettings, GetUser / GetUserAuthFactors, the EMAIL_OTP challenge after a
password, SELECT_MFA_TYPE with three methods, and the pool's EmailMfaConfiguration."""

import re

import pyotp

from conftest import PASSWORD, raises


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def enable_email_mfa(idp, token: str, preferred: bool = False) -> None:
    idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": preferred})


def test_email_mfa_preference_rules(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["email"])
    with raises("InvalidParameterException", "User does not have delivery config set to turn on EMAIL_OTP"):
        enable_email_mfa(idp, token)
    # An unverified address is enough.
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "late@example.com"}])
    enable_email_mfa(idp, token, preferred=True)
    profile = idp.get_user(AccessToken=token)
    assert profile["UserMFASettingList"] == ["EMAIL_OTP"] and profile["PreferredMfaSetting"] == "EMAIL_OTP"
    factors = idp.get_user_auth_factors(AccessToken=token)
    assert factors["UserMFASettingList"] == ["EMAIL_OTP"] and factors["PreferredMfaSetting"] == "EMAIL_OTP"
    assert "EMAIL_OTP" in factors["ConfiguredUserAuthFactors"]
    idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": False})
    profile = idp.get_user(AccessToken=token)
    assert "UserMFASettingList" not in profile and "PreferredMfaSetting" not in profile
    # The admin call takes EmailMfaSettings too.
    idp.admin_set_user_mfa_preference(UserPoolId=pool["userPoolId"], Username=user, EmailMfaSettings={"Enabled": True})
    assert idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)["UserMFASettingList"] == ["EMAIL_OTP"]


def test_email_mfa_needs_the_pool_to_send_email_mfa(emulator, idp):
    pool = emulator.new_pool(emailMfa=False)
    user = emulator.confirmed_user(pool)
    with raises("InvalidParameterException"):
        enable_email_mfa(idp, emulator.tokens(pool, user)["AccessToken"])
    lite = emulator.new_pool(tier="LITE")
    user = emulator.confirmed_user(lite)
    with raises("FeatureUnavailableInTierException"):
        enable_email_mfa(idp, emulator.tokens(lite, user)["AccessToken"])


def test_email_mfa_after_a_password(emulator, idp, pool):
    user = emulator.confirmed_user(pool, email="mia@example.org")
    token = emulator.tokens(pool, user)["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "mia@example.net"}])  # unverified
    enable_email_mfa(idp, token)
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "m***@e***.net"
    message = emulator.messages(pool, user)[-1]
    assert (message["kind"], message["destination"]) == ("EMAIL_MFA", "mia@example.net")
    assert re.fullmatch(r"\d{8}", message["code"])
    with raises("CodeMismatchException"):
        emulator.answer(pool, challenge, user, EMAIL_OTP_CODE=wrong(message["code"]))
    with raises("InvalidParameterException", "Missing required parameter EMAIL_OTP_CODE"):
        emulator.answer(pool, challenge, user, EMAIL_MFA_CODE=message["code"])
    result = emulator.answer(pool, challenge, user, EMAIL_OTP_CODE=message["code"])
    assert result["AuthenticationResult"]["AccessToken"]
    # The first MFA verified the address.
    attributes = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert attributes["email_verified"] == "true"


def test_email_mfa_code_expiry(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    enable_email_mfa(idp, emulator.tokens(pool, user)["AccessToken"])
    challenge = emulator.login(pool, user)
    code = emulator.last_code(pool, user, "EMAIL_MFA")
    emulator.expire_codes(pool, user)
    with raises("NotAuthorizedException", "session is expired"):
        emulator.answer(pool, challenge, user, EMAIL_OTP_CODE=code)


def test_three_mfa_methods_ask_to_select(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    token = emulator.tokens(pool, user)["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(
        AccessToken=token,
        SMSMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    assert set(idp.get_user(AccessToken=token)["UserMFASettingList"]) == {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    # As MFA factors; this pool allows only the password as a first factor.
    factors = idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "SOFTWARE_TOKEN"]
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","EMAIL_OTP","SOFTWARE_TOKEN_MFA"]'
    following = emulator.answer(pool, challenge, user, ANSWER="EMAIL_OTP")
    assert following["ChallengeName"] == "EMAIL_OTP"
    code = emulator.last_code(pool, user, "EMAIL_MFA")
    assert emulator.answer(pool, following, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]
    # The preferred one wins.
    enable_email_mfa(idp, token, preferred=True)
    assert emulator.login(pool, user)["ChallengeName"] == "EMAIL_OTP"


def test_email_mfa_after_user_auth_password(emulator, idp):
    pool = emulator.new_pool(firstFactors=["PASSWORD", "EMAIL_OTP"])
    user = emulator.confirmed_user(pool)
    enable_email_mfa(idp, emulator.tokens(pool, user)["AccessToken"])
    challenge = emulator.user_auth(pool, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert challenge["ChallengeName"] == "EMAIL_OTP" and "AvailableChallenges" not in challenge
    code = emulator.last_code(pool, user, "EMAIL_MFA")
    assert emulator.answer(pool, challenge, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]


def test_required_mfa_uses_the_email_when_the_pool_sends_email_mfa(emulator):
    pool = emulator.new_pool(mfa="ON")
    user = emulator.confirmed_user(pool)
    challenge = emulator.login(pool, user)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = emulator.last_code(pool, user, "EMAIL_MFA")
    assert emulator.answer(pool, challenge, user, EMAIL_OTP_CODE=code)["AuthenticationResult"]


def test_set_user_pool_mfa_config_email(emulator, idp):
    created = idp.create_user_pool(PoolName="email-mfa")["UserPool"]  # Cognito's own sender by default
    with raises("InvalidParameterException", "COGNITO_DEFAULT"):
        idp.set_user_pool_mfa_config(UserPoolId=created["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration={"Subject": "Code"})
    assert "EmailMfaConfiguration" not in idp.get_user_pool_mfa_config(UserPoolId=created["Id"])
    lite = idp.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]
    with raises("FeatureUnavailableInTierException", "Email MFA"):
        idp.set_user_pool_mfa_config(UserPoolId=lite["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration={})
    ses = idp.create_user_pool(
        PoolName="ses",
        EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/a@example.com"},
    )["UserPool"]
    with raises("InvalidParameterException"):
        idp.set_user_pool_mfa_config(UserPoolId=ses["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration={"Message": "no code here"})
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=ses["Id"], MfaConfiguration="OPTIONAL", EmailMfaConfiguration={"Subject": "Code", "Message": "Code {####}"}
    )
    assert answer["EmailMfaConfiguration"] == {"Subject": "Code", "Message": "Code {####}"}
    assert idp.get_user_pool_mfa_config(UserPoolId=ses["Id"])["EmailMfaConfiguration"]["Message"] == "Code {####}"
    # Left out of a later call, it is off again (SetUserPoolMfaConfig sets the whole configuration).
    idp.set_user_pool_mfa_config(UserPoolId=ses["Id"], MfaConfiguration="OFF")
    assert "EmailMfaConfiguration" not in idp.get_user_pool_mfa_config(UserPoolId=ses["Id"])
