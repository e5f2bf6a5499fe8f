"""Passkeys (WebAuthn): pool configuration, registration, listing, deletion and WEB_AUTHN sign-in,
verified for real (py_webauthn) against a software authenticator."""

import base64
import json
import uuid

import pyotp
import pytest

from conftest import PASSWORD, raises
from soft_authenticator import Authenticator, b64url

ORIGIN = "http://localhost:8000"
LOCAL = {"relyingPartyId": "localhost", "userVerification": "preferred", "origins": [ORIGIN]}


@pytest.fixture
def pk_pool(emulator):
    return emulator.new_pool(webAuthn=LOCAL)


def signed_in(emulator, pool) -> tuple[str, str]:
    user = emulator.confirmed_user(pool)
    return user, emulator.tokens(pool, user)["AccessToken"]


def register(idp, token: str, authenticator: Authenticator, origin: str = ORIGIN, **create) -> dict:
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.create(options, origin, **create))
    return options


def passkey_challenge(emulator, pool, user: str) -> dict:
    started = emulator.user_auth(pool, user, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert started["ChallengeName"] == "WEB_AUTHN", started
    return started


def test_register_list_sign_in_delete(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    sub = idp.get_user(AccessToken=token)["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert options["user"] == {"id": b64url(sub.encode()), "name": user, "displayName": ""}
    assert len(base64.urlsafe_b64decode(options["challenge"] + "==")) == 16
    assert options["pubKeyCredParams"] == [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}]
    assert options["excludeCredentials"] == [] and options["timeout"] == 60000
    assert options["authenticatorSelection"] == {"requireResidentKey": True, "residentKey": "required", "userVerification": "preferred"}
    # A fresh challenge each time.
    again = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert again["challenge"] != options["challenge"]
    authenticator = Authenticator()
    assert idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.create(again, ORIGIN))
    with raises("WebAuthnChallengeNotFoundException"):  # single use
        idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator().create(again, ORIGIN))

    listed = idp.list_web_authn_credentials(AccessToken=token)
    assert "NextToken" not in listed and len(listed["Credentials"]) == 1
    credential = listed["Credentials"][0]
    assert credential["CredentialId"] == b64url(authenticator.credential_id)
    assert credential["RelyingPartyId"] == "localhost" and credential["FriendlyCredentialName"]
    assert credential["AuthenticatorAttachment"] == "platform"
    assert credential["AuthenticatorTransports"] == ["internal", "hybrid"] and credential["CreatedAt"]
    assert "WEB_AUTHN" in idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]

    # TOTP MFA on: a passkey is a first factor with no MFA after it; a password still gets MFA.
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    assert emulator.login(pk_pool, user)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    assert emulator.user_auth(pk_pool, user)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    started = passkey_challenge(emulator, pk_pool, user)
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    assert started["ChallengeParameters"]["USER_ID_FOR_SRP"] == user
    raw = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert isinstance(raw, str)
    request = json.loads(raw)
    assert request["rpId"] == "localhost" and request["userVerification"] == "preferred" and request["timeout"] == 180000
    assert request["allowCredentials"] == [{"type": "public-key", "id": b64url(authenticator.credential_id), "transports": ["internal", "hybrid"]}]
    result = emulator.answer(pk_pool, started, user, CREDENTIAL=authenticator.get(raw, ORIGIN))
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == user

    assert idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["CredentialId"]) is not None
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    with raises("ResourceNotFoundException"):
        idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["CredentialId"])
    assert "WEB_AUTHN" not in idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"]
    # No passkey any more: the preference falls back to SELECT_CHALLENGE, as for any unusable factor.
    fallback = emulator.user_auth(pk_pool, user, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert fallback["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" not in fallback["AvailableChallenges"]


def test_select_challenge_web_authn(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    authenticator = Authenticator()
    register(idp, token, authenticator)
    selected = emulator.answer(pk_pool, emulator.user_auth(pk_pool, user), user, ANSWER="WEB_AUTHN")
    assert selected["ChallengeName"] == "WEB_AUTHN"
    options = selected["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert emulator.answer(pk_pool, selected, user, CREDENTIAL=authenticator.get(options, ORIGIN))["AuthenticationResult"]
    with raises("InvalidParameterException", "Missing required parameter CREDENTIAL"):
        emulator.answer(pk_pool, passkey_challenge(emulator, pk_pool, user), user)


def test_exclude_credentials_and_duplicates(emulator, idp, pk_pool):
    _, token = signed_in(emulator, pk_pool)
    first = Authenticator()
    register(idp, token, first)
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["excludeCredentials"] == [{"type": "public-key", "id": b64url(first.credential_id), "transports": ["internal", "hybrid"]}]
    with raises("InvalidParameterException"):  # the same authenticator once more
        idp.complete_web_authn_registration(AccessToken=token, Credential=first.create(options, ORIGIN))
    register(idp, token, Authenticator(alg=-257, attachment=None), fmt="packed", transports=["usb"])  # RS256, packed
    listed = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert len(listed) == 2 and "AuthenticatorAttachment" not in listed[1] and listed[1]["AuthenticatorTransports"] == ["usb"]
    assert len(idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]["excludeCredentials"]) == 2


def test_expired_unknown_and_replaced_challenges(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    with raises("WebAuthnChallengeNotFoundException"):  # no Start at all
        idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator().create(
            {"rp": {"id": "localhost"}, "user": {"id": "AA"}, "challenge": b64url(b"x" * 16)}, ORIGIN))
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    emulator.expire_codes(pk_pool, user)
    with raises("WebAuthnChallengeNotFoundException"):
        idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator().create(options, ORIGIN))
    old = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.start_web_authn_registration(AccessToken=token)  # replaces the outstanding challenge
    with raises("WebAuthnChallengeNotFoundException"):
        idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator().create(old, ORIGIN))


def test_origins(emulator, idp, pk_pool):
    _, token = signed_in(emulator, pk_pool)
    for origin in ("http://localhost:9999", "https://evil.example", "null"):
        with raises("WebAuthnOriginNotAllowedException"):
            register(idp, token, Authenticator(), origin=origin)
    # Without explicit origins: https on the RP id or a subdomain, any port; http only for localhost.
    pool = emulator.new_pool(webAuthn={"relyingPartyId": "example.com"})
    _, token = signed_in(emulator, pool)
    register(idp, token, Authenticator(), origin="https://example.com")
    register(idp, token, Authenticator(), origin="https://login.example.com:8443")
    for origin in ("http://example.com", "https://badexample.com", "https://example.com.evil.net", "https://example.com/path"):
        with raises("WebAuthnOriginNotAllowedException"):
            register(idp, token, Authenticator(), origin=origin)
    local = emulator.new_pool(webAuthn={"relyingPartyId": "localhost"})
    user, token = signed_in(emulator, local)
    authenticator = Authenticator()
    register(idp, token, authenticator, origin="http://localhost:5173")
    started = passkey_challenge(emulator, local, user)
    options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    with raises("NotAuthorizedException"):  # sign-in from a foreign origin
        emulator.answer(local, started, user, CREDENTIAL=authenticator.get(options, "https://localhost.evil.net"))


def test_wrong_relying_party(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    with raises("WebAuthnRelyingPartyMismatchException"):
        register(idp, token, Authenticator(), rp_id="example.com")
    authenticator = Authenticator()
    register(idp, token, authenticator)
    started = passkey_challenge(emulator, pk_pool, user)
    options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.answer(pk_pool, started, user, CREDENTIAL=authenticator.get(options, ORIGIN, rp_id="example.com"))


def test_user_verification_required(emulator, idp):
    pool = emulator.new_pool(webAuthn={**LOCAL, "userVerification": "required"})
    user, token = signed_in(emulator, pool)
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    with raises("WebAuthnCredentialNotSupportedException"):
        idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator(user_verifying=False).create(options, ORIGIN))
    authenticator = Authenticator()
    register(idp, token, authenticator)
    started = passkey_challenge(emulator, pool, user)
    options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert json.loads(options)["userVerification"] == "required"
    with raises("NotAuthorizedException"):
        emulator.answer(pool, started, user, CREDENTIAL=authenticator.get(options, ORIGIN, uv=False))
    started = passkey_challenge(emulator, pool, user)
    options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert emulator.answer(pool, started, user, CREDENTIAL=authenticator.get(options, ORIGIN))["AuthenticationResult"]
    # "preferred" accepts an authenticator without user verification, at registration and sign-in.
    pool = emulator.new_pool(webAuthn=LOCAL)
    user, token = signed_in(emulator, pool)
    plain = Authenticator(user_verifying=False)
    register(idp, token, plain)
    started = passkey_challenge(emulator, pool, user)
    options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert emulator.answer(pool, started, user, CREDENTIAL=plain.get(options, ORIGIN))["AuthenticationResult"]


def test_replayed_forged_and_wrong_assertions(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    authenticator = Authenticator()
    register(idp, token, authenticator)
    started = passkey_challenge(emulator, pk_pool, user)
    assertion = authenticator.get(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"], ORIGIN)
    assert emulator.answer(pk_pool, started, user, CREDENTIAL=assertion)["AuthenticationResult"]
    with raises("NotAuthorizedException", "Invalid session for the user."):  # the same session again
        emulator.answer(pk_pool, started, user, CREDENTIAL=assertion)
    with raises("NotAuthorizedException", "Incorrect username or password."):  # another session, old challenge
        emulator.answer(pk_pool, passkey_challenge(emulator, pk_pool, user), user, CREDENTIAL=assertion)

    def attempt(**kwargs):
        started = passkey_challenge(emulator, pk_pool, user)
        options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        signer = kwargs.pop("signer", authenticator)
        return emulator.answer(pk_pool, started, user, CREDENTIAL=signer.get(options, ORIGIN, **kwargs))

    with raises("NotAuthorizedException", "Incorrect username or password."):
        attempt(forge=True)
    authenticator.counter = 1  # the last count the pool accepted (the forged attempt counted for nothing)
    with raises("NotAuthorizedException", "Incorrect username or password."):  # a counter that did not increase
        attempt(bump=0)
    with raises("NotAuthorizedException", "Incorrect username or password."):  # an unregistered passkey
        attempt(signer=Authenticator())
    stranger = Authenticator()  # registered to another user
    _, other = signed_in(emulator, pk_pool)
    register(idp, other, stranger)
    with raises("NotAuthorizedException", "Incorrect username or password."):
        attempt(signer=stranger)
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.answer(pk_pool, passkey_challenge(emulator, pk_pool, user), user, CREDENTIAL="not json")
    assert attempt()["AuthenticationResult"]  # the genuine passkey still works
    # SELECT_CHALLENGE may not carry a credential: no challenge was issued for it to sign.
    with raises("NotAuthorizedException"):
        emulator.answer(pk_pool, emulator.user_auth(pk_pool, user), user, ANSWER="WEB_AUTHN", CREDENTIAL=assertion)


def test_another_clients_token_at_complete(emulator, idp, pk_pool):
    user, token = signed_in(emulator, pk_pool)
    other = idp.create_user_pool_client(
        UserPoolId=pk_pool["userPoolId"], ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_token = idp.initiate_auth(
        ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    authenticator = Authenticator()
    with raises("WebAuthnClientMismatchException"):
        idp.complete_web_authn_registration(AccessToken=other_token, Credential=authenticator.create(options, ORIGIN))
    idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.create(options, ORIGIN))


def test_pagination_and_limit(emulator, idp, pk_pool):
    _, token = signed_in(emulator, pk_pool)
    for _ in range(5):
        register(idp, token, Authenticator())
    seen, next_token, pages = [], None, 0
    while True:
        page = idp.list_web_authn_credentials(AccessToken=token, MaxResults=2, **({"NextToken": next_token} if next_token else {}))
        pages += 1
        assert len(page["Credentials"]) <= 2
        seen += [c["CredentialId"] for c in page["Credentials"]]
        next_token = page.get("NextToken")
        if not next_token:
            break
    assert pages == 3 and len(set(seen)) == 5
    assert len(idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 5
    with raises("InvalidParameterException"):
        idp.list_web_authn_credentials(AccessToken=token, NextToken="forged-token")
    with raises("InvalidParameterException"):
        idp.list_web_authn_credentials(AccessToken=token, MaxResults=21)
    _, other = signed_in(emulator, pk_pool)
    page = idp.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    with raises("InvalidParameterException"):  # another user's page token
        idp.list_web_authn_credentials(AccessToken=other, NextToken=page["NextToken"])
    for _ in range(15):
        register(idp, token, Authenticator())
    with raises("LimitExceededException"):  # 20 passkeys per user
        idp.start_web_authn_registration(AccessToken=token)


def test_unknown_user_gets_a_simulated_challenge(emulator, idp, pk_pool):
    name = f"nobody-{uuid.uuid4().hex[:8]}"
    started = passkey_challenge(emulator, pk_pool, name)
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert options["rpId"] == "localhost" and len(options["allowCredentials"]) == 1
    again = json.loads(passkey_challenge(emulator, pk_pool, name)["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert again["allowCredentials"] == options["allowCredentials"] and again["challenge"] != options["challenge"]
    assert set(options) == {"hints", "attestation", "attestationFormats", "challenge", "timeout", "rpId", "allowCredentials", "userVerification"}
    with raises("NotAuthorizedException", "Incorrect username or password."):
        emulator.answer(pk_pool, started, name, CREDENTIAL=Authenticator().get(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"], ORIGIN))


def test_not_enabled_missing_configuration_and_bad_token(emulator, idp):
    _, token = signed_in(emulator, emulator.new_pool())  # WEB_AUTHN not among the first factors
    with raises("WebAuthnNotEnabledException"):
        idp.start_web_authn_registration(AccessToken=token)
    pool = emulator.new_pool(firstFactors=["PASSWORD", "WEB_AUTHN"])  # no relying party, no domain
    _, token = signed_in(emulator, pool)
    with raises("WebAuthnConfigurationMissingException"):
        idp.start_web_authn_registration(AccessToken=token)
    # A prefix domain gives the relying party <prefix>.auth.<region>.amazoncognito.com.
    prefix = f"pk-{uuid.uuid4().hex[:10]}"
    idp.create_user_pool_domain(UserPoolId=pool["userPoolId"], Domain=prefix)
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == f"{prefix}.auth.us-east-1.amazoncognito.com"
    with raises("NotAuthorizedException"):
        idp.start_web_authn_registration(AccessToken="not-a-token")
    with raises("NotAuthorizedException"):
        idp.list_web_authn_credentials(AccessToken="not-a-token")


def test_pool_mfa_config_round_trip(emulator, idp, pk_pool):
    pool_id = pk_pool["userPoolId"]
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"] == {
        "RelyingPartyId": "localhost", "UserVerification": "preferred"}
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True},
        WebAuthnConfiguration={"RelyingPartyId": "example.com", "UserVerification": "required"},
    )
    assert answer["WebAuthnConfiguration"] == {"RelyingPartyId": "example.com", "UserVerification": "required"}
    with raises("InvalidParameterException"):
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True},
                                     WebAuthnConfiguration={"RelyingPartyId": "example.com", "UserVerification": "sometimes"})
    status, body = emulator.http("POST", "/_emulator/pools", {"webAuthn": {"relyingPartyId": "localhost", "origin": "x"}})
    assert status == 400, body


def test_mfa_required_pool_offers_no_passkey(emulator, idp):
    pool = emulator.new_pool(webAuthn=LOCAL)
    user, token = signed_in(emulator, pool)
    register(idp, token, Authenticator())
    idp.set_user_pool_mfa_config(UserPoolId=pool["userPoolId"], MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True})
    assert "WEB_AUTHN" not in emulator.user_auth(pool, user)["AvailableChallenges"]
