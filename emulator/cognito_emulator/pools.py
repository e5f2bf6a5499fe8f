"""The one place that creates a production-like pool and app client (seed and /_emulator/pools)."""

import uuid

from moto.cognitoidp.models import CognitoIdpUserPoolAttribute, cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID

from . import REGION

MFA_MODES = ("OPTIONAL", "ON", "OFF")
SEED_POOL_NAME = "local-dev"


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
    name: str | None = None, mfa: str = "OPTIONAL", client_secret: bool = False, stable: bool = False
) -> dict:
    """Create a pool + client like a sensible production one; returns the ids tests need.

    Ids are a hash of name and config (HASH strategy) so the seed keeps its ids across restarts.
    Other pools get a random tag in their config: two requests never collide, even with the
    same name (a collision would silently replace the earlier pool).
    """
    if mfa not in MFA_MODES:
        raise ValueError(f"mfa must be one of {', '.join(MFA_MODES)}")
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
            }
        },
        "AutoVerifiedAttributes": ["email"],
        "Schema": _schema(),
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email"},
                {"Priority": 2, "Name": "verified_phone_number"},
            ]
        },
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
    client = backend.create_user_pool_client(
        pool.id,
        client_secret,
        {
            "ClientName": f"{name}-client",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
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
