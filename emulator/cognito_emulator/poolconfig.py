"""Pool settings moto 5.2.5 does not know: the sign-in policy (allowed first factors), the feature
plan (UserPoolTier) and the pool's email MFA configuration.

moto keeps CreateUserPool/UpdateUserPool parameters as they come (extended_config) and echoes them in
DescribeUserPool, so Policies.SignInPolicy and UserPoolTier are stored already; this module fills in
AWS's defaults, refuses what AWS refuses, and answers the questions the sign-in code asks.
"""

import copy

from moto.cognitoidp.models import DEFAULT_USER_POOL_CONFIG, CognitoIdpUserPool

from .errors import FeatureUnavailableInTierException, InvalidParameterException

# AuthFactorType values that can be a first factor. AWS API reference, SignInPolicyType:
# "SOFTWARE_TOKEN is not currently supported as a first auth factor."
FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
DEFAULT_FIRST_FACTORS = ["PASSWORD"]
TIERS = ("LITE", "ESSENTIALS", "PLUS")
# AWS API reference, CreateUserPool UserPoolTier: "Defaults to ESSENTIALS."
DEFAULT_TIER = "ESSENTIALS"


def first_factors(pool) -> list[str]:
    policy = pool.extended_config.get("Policies", {}).get("SignInPolicy") or {}
    return list(policy.get("AllowedFirstAuthFactors") or DEFAULT_FIRST_FACTORS)


def tier(pool) -> str:
    return pool.extended_config.get("UserPoolTier") or DEFAULT_TIER


def require_essentials(pool, feature: str) -> None:
    """USER_AUTH, passwordless factors and email MFA need the Essentials tier or higher (AWS API
    reference, InitiateAuth AuthFlow USER_AUTH and EmailMfaSettingsType). The message is the one AWS
    gives SetUserPoolMfaConfig for email MFA on LITE (AWS Knowledge Center, "set up email MFA for a
    user pool"); that other operations word it the same way is unverified."""
    if tier(pool) == "LITE":
        raise FeatureUnavailableInTierException(
            f"The following feature is not available for the LITE pricing tier configured: {feature}"
        )


def validate(config: dict) -> None:
    """CreateUserPool / UpdateUserPool: AllowedFirstAuthFactors and UserPoolTier as AWS accepts them."""
    tier_value = config.get("UserPoolTier")
    if tier_value is not None and tier_value not in TIERS:
        raise InvalidParameterException(f"Invalid UserPoolTier: {tier_value}")
    policy = (config.get("Policies") or {}).get("SignInPolicy")
    if policy is None:
        return
    factors = policy.get("AllowedFirstAuthFactors")
    if not factors:
        # AllowedFirstAuthFactorsListType has 1 to 5 members (botocore model).
        raise InvalidParameterException("AllowedFirstAuthFactors must have at least 1 item.")
    for factor in factors:
        if factor == "SOFTWARE_TOKEN":
            raise InvalidParameterException("SOFTWARE_TOKEN is not currently supported as a first auth factor.")
        if factor not in FIRST_FACTORS:
            raise InvalidParameterException(f"Invalid AllowedFirstAuthFactors value: {factor}")
    # The AWS CDK documents the password factor as "This must be true" (AllowedFirstAuthFactors);
    # we take that to mirror a service-side rule. The wording of the error is ours (unverified).
    if "PASSWORD" not in factors:
        raise InvalidParameterException("AllowedFirstAuthFactors must include PASSWORD.")
    if (tier_value or DEFAULT_TIER) == "LITE" and set(factors) != {"PASSWORD"}:
        raise FeatureUnavailableInTierException(
            "The following feature is not available for the LITE pricing tier configured: Passwordless"
        )


_moto_update_extended_config = CognitoIdpUserPool.update_extended_config


def _update_extended_config(self, extended_config):
    """moto copies its defaults shallowly (a pool's nested edits would leak into every later pool) and
    knows no SignInPolicy or tier; AWS shows both in DescribeUserPool with their defaults."""
    validate(extended_config or {})
    config = copy.deepcopy(extended_config or {})
    policies = config.setdefault("Policies", {})
    policies.setdefault("PasswordPolicy", copy.deepcopy(DEFAULT_USER_POOL_CONFIG["Policies"]["PasswordPolicy"]))
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": list(DEFAULT_FIRST_FACTORS)})
    config.setdefault("UserPoolTier", DEFAULT_TIER)
    _moto_update_extended_config(self, config)
    self.extended_config = copy.deepcopy(self.extended_config)


# --- email MFA at the pool (SetUserPoolMfaConfig EmailMfaConfiguration, poolmfa.py; moto ignores it) ---


def email_mfa_config(pool) -> dict | None:
    return getattr(pool, "email_mfa_config", None)


def set_email_mfa_config(pool, config: dict | None) -> None:
    """AWS Knowledge Center, "How do I set up email MFA for my Amazon Cognito user pool": on LITE,
    FeatureUnavailableInTierException "The following feature is not available for the LITE pricing
    tier configured: Email MFA"; with Cognito's default email sender, InvalidParameterException
    "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an EmailSendingAccount
    of COGNITO_DEFAULT.Update the value of EmailSendingAccount"."""
    if config is not None:
        require_essentials(pool, "Email MFA")
        sending = (pool.extended_config.get("EmailConfiguration") or {}).get("EmailSendingAccount", "COGNITO_DEFAULT")
        if sending == "COGNITO_DEFAULT":
            raise InvalidParameterException(
                "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an "
                "EmailSendingAccount of COGNITO_DEFAULT.Update the value of EmailSendingAccount"
            )
        message = config.get("Message")
        if message is not None and "{####}" not in message:
            raise InvalidParameterException("EmailMfaConfiguration Message must contain the {####} placeholder.")
    pool.email_mfa_config = config


def install() -> None:
    CognitoIdpUserPool.update_extended_config = _update_extended_config
