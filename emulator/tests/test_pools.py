"""The sign-in policy and feature plan of a pool (CreateUserPool / UpdateUserPool / DescribeUserPool),
and the /_emulator/pools options for them."""

from conftest import raises, start_server, stop_server

import boto3
from botocore.config import Config


def sign_in_policy(idp, pool_id: str) -> dict:
    return idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["SignInPolicy"]


def test_create_and_update_user_pool_keep_the_sign_in_policy(idp):
    created = idp.create_user_pool(PoolName="defaults")["UserPool"]
    assert created["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    assert created["UserPoolTier"] == "ESSENTIALS" and created["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    policy = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    pool_id = idp.create_user_pool(PoolName="otp", Policies=policy)["UserPool"]["Id"]
    assert sign_in_policy(idp, pool_id) == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    idp.update_user_pool(UserPoolId=pool_id, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}})
    assert sign_in_policy(idp, pool_id) == {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}
    # UpdateUserPool resets what it leaves out (AWS does too): the default policy again.
    idp.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"])
    assert sign_in_policy(idp, pool_id) == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    # One pool's settings never leak into another's defaults.
    assert idp.create_user_pool(PoolName="later")["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == ["PASSWORD"]


def test_sign_in_policies_aws_refuses(idp):
    for factors in (["PASSWORD", "SOFTWARE_TOKEN"], ["EMAIL_OTP"], ["PASSWORD", "MAGIC_LINK"]):
        with raises("InvalidParameterException"):
            idp.create_user_pool(PoolName="bad", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}})
    with raises("FeatureUnavailableInTierException"):
        idp.create_user_pool(
            PoolName="lite", UserPoolTier="LITE", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
        )
    pool_id = idp.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    with raises("InvalidParameterException"):
        idp.update_user_pool(UserPoolId=pool_id, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["SMS_OTP"]}})
    assert sign_in_policy(idp, pool_id) == {"AllowedFirstAuthFactors": ["PASSWORD"]}  # unchanged


def test_pool_route_options(emulator, idp):
    pool = emulator.new_pool(firstFactors=["PASSWORD", "EMAIL_OTP", "SMS_OTP"], tier="PLUS", emailMfa=False)
    described = idp.describe_user_pool(UserPoolId=pool["userPoolId"])["UserPool"]
    assert described["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert described["UserPoolTier"] == "PLUS"
    assert "EmailMfaConfiguration" not in idp.get_user_pool_mfa_config(UserPoolId=pool["userPoolId"])
    lite = emulator.new_pool(tier="LITE")  # email MFA is off by default where the tier cannot have it
    assert "EmailMfaConfiguration" not in idp.get_user_pool_mfa_config(UserPoolId=lite["userPoolId"])
    for bad in ({"firstFactors": "PASSWORD"}, {"firstFactors": ["SOFTWARE_TOKEN", "PASSWORD"]}, {"tier": "GOLD"}):
        status, body = emulator.http("POST", "/_emulator/pools", bad)
        assert status == 400, body


def test_the_seeded_pool_offers_passwordless_sign_in():
    process, ready = start_server("--seed")
    try:
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=ready["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )
        factors = sign_in_policy(idp, ready["userPoolId"])["AllowedFirstAuthFactors"]
        assert {"PASSWORD", "EMAIL_OTP"} <= set(factors)
        client = idp.describe_user_pool_client(UserPoolId=ready["userPoolId"], ClientId=ready["clientId"])["UserPoolClient"]
        assert "ALLOW_USER_AUTH" in client["ExplicitAuthFlows"]
        mfa_config = idp.get_user_pool_mfa_config(UserPoolId=ready["userPoolId"])
        assert mfa_config["EmailMfaConfiguration"]
        # Passkeys for a local web app (examples/web): relying party localhost, WEB_AUTHN a first factor.
        assert "WEB_AUTHN" in factors
        assert mfa_config["WebAuthnConfiguration"]["RelyingPartyId"] == "localhost"
    finally:
        assert stop_server(process) == 0
