"""The one place that creates a production-like pool and app client (seed and /_emulator/pools)."""

import uuid

from moto.cognitoidp.models import CognitoIdpUserPoolAttribute, cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID

from . import REGION, passkeys, poolconfig

MFA_MODES = ("OPTIONAL", "ON", "OFF")
SEED_POOL_NAME = "local-dev"
# The local dev server offers passwordless sign-in (USER_AUTH) besides the password.
SEED_FIRST_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
# The seed's passkeys: relying party localhost, any http://localhost port (a local web app, examples/web).
SEED_WEB_AUTHN = {"relyingPartyId": "localhost"}


def _schema() -> list[dict]:
    # moto keeps only the attributes listed in Schema, so list every standard one explicitly.
    standard = [{"Name": name, **spec} for name, spec in CognitoIdpUserPoolAttribute.STANDARD_SCHEMA.items()]
    team = {
        "Name": "team",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "256"},
    }
    return standard + [team]


def create_pool(
    name: str | None = None,
    mfa: str = "OPTIONAL",
    client_secret: bool = False,
    stable: bool = False,
    first_factors: list[str] | None = None,
    email_mfa: bool | None = None,
    tier: str | None = None,
    web_authn: dict | None = None,
) -> dict:
    """Create a pool + client like a sensible production one; returns the ids tests need.

    first_factors is the pool's Policies.SignInPolicy.AllowedFirstAuthFactors (default: ["PASSWORD"],
    AWS's default; the seed allows SEED_FIRST_FACTORS). email_mfa gives the pool an SES sender and an
    EmailMfaConfiguration, which AWS requires for email MFA (default: on unless LITE). tier is UserPoolTier (AWS default
    ESSENTIALS). web_authn {"relyingPartyId", "userVerification"?, "origins"?} is the pool's
    WebAuthnConfiguration (SetUserPoolMfaConfig) plus the emulator's own list of allowed origins
    (passkeys.allowed_origin); with it, first_factors defaults to PASSWORD and WEB_AUTHN. Raises ValueError for a bad option, InvalidParameterException /
    FeatureUnavailableInTierException where CreateUserPool would.

    Ids are a hash of name and config (HASH strategy) so the seed keeps its ids across restarts.
    Other pools get a random tag in their config: two requests never collide, even with the
    same name (a collision would silently replace the earlier pool).
    """
    if mfa not in MFA_MODES:
        raise ValueError(f"mfa must be one of {', '.join(MFA_MODES)}")
    if web_authn is not None:
        if not isinstance(web_authn, dict) or set(web_authn) - {"relyingPartyId", "userVerification", "origins"}:
            raise ValueError("webAuthn takes relyingPartyId, userVerification and origins")
        origins = web_authn.get("origins")
        if origins is not None and (not isinstance(origins, list) or not all(isinstance(o, str) and o for o in origins)):
            raise ValueError("webAuthn.origins must be a list of origins such as http://localhost:8000")
        if first_factors is None:
            first_factors = list(SEED_FIRST_FACTORS) if stable else ["PASSWORD", "WEB_AUTHN"]
    if first_factors is None:
        first_factors = list(SEED_FIRST_FACTORS if stable else poolconfig.DEFAULT_FIRST_FACTORS)
    if not isinstance(first_factors, list) or not all(isinstance(f, str) for f in first_factors):
        raise ValueError("firstFactors must be a list of AuthFactorType names")
    if tier is not None and tier not in poolconfig.TIERS:
        raise ValueError(f"tier must be one of {', '.join(poolconfig.TIERS)}")
    if email_mfa is None:  # on by default, except where the tier cannot have it
        email_mfa = (tier or poolconfig.DEFAULT_TIER) != "LITE"
    name = name or (SEED_POOL_NAME if stable else f"pool-{uuid.uuid4().hex[:12]}")
    config = {
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "TemporaryPasswordValidityDays": 7,
            },
            "SignInPolicy": {"AllowedFirstAuthFactors": first_factors},
        },
        "UserPoolTier": tier or poolconfig.DEFAULT_TIER,
        "AutoVerifiedAttributes": ["email"],
        "Schema": _schema(),
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email"},
                {"Priority": 2, "Name": "verified_phone_number"},
            ]
        },
    }
    if email_mfa:
        # Email MFA needs the pool to send through SES (AWS Knowledge Center, "set up email MFA").
        config["EmailConfiguration"] = {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": f"arn:aws:ses:{REGION}:{DEFAULT_ACCOUNT_ID}:identity/no-reply@example.com",
        }
    if not stable:
        config["UserPoolTags"] = {"emulator-instance": uuid.uuid4().hex}

    backend = cognitoidp_backends[DEFAULT_ACCOUNT_ID][REGION]
    pool = backend.create_user_pool(name, config)
    backend.set_user_pool_mfa_config(
        pool.id,
        sms_config={
            "SmsAuthenticationMessage": "Your authentication code is {####}.",
            "SmsConfiguration": {"SnsCallerArn": f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/cognito-sms"},
        },
        token_config={"Enabled": True},
        mfa_config=mfa,
    )
    if email_mfa:
        poolconfig.set_email_mfa_config(pool, {"Subject": "Your sign-in code", "Message": "Your code is {####}."})
    if web_authn is not None:
        settings = {"UserVerification": web_authn.get("userVerification", passkeys.DEFAULT_USER_VERIFICATION)}
        if web_authn.get("relyingPartyId") is not None:
            settings["RelyingPartyId"] = web_authn["relyingPartyId"]
        poolconfig.require_essentials(pool, "Passkey")
        passkeys.set_config(pool, settings, web_authn.get("origins"))
    client = backend.create_user_pool_client(
        pool.id,
        client_secret,
        {
            "ClientName": f"{name}-client",
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
        },
    )
    return {
        "userPoolId": pool.id,
        "clientId": client.id,
        "clientSecret": client.secret if client_secret else None,
        "region": REGION,
    }
