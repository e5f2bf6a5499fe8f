"""SetUserPoolMfaConfig / GetUserPoolMfaConfig: moto's SMS and TOTP settings plus the two parts moto
does not know, the pool's EmailMfaConfiguration (poolconfig.py) and its WebAuthnConfiguration
(passkeys.py). A module above both, since passkeys itself reads the pool's settings from poolconfig."""

from . import passkeys
from .errors import InvalidParameterException
from .lookup import find_pool
from .poolconfig import email_mfa_config, require_essentials, set_email_mfa_config


def set_user_pool_mfa_config(resp) -> dict:
    """moto's checks, with an EmailMfaConfiguration counting as an MFA method (moto knows only SMS and
    TOTP; that AWS accepts email MFA alone is an assumption), then moto's update plus the email part."""
    backend, pool = find_pool(resp._get_param("UserPoolId") or "")
    sms, token = resp._get_param("SmsMfaConfiguration"), resp._get_param("SoftwareTokenMfaConfiguration")
    email, mode = resp._get_param("EmailMfaConfiguration"), resp._get_param("MfaConfiguration")
    if mode not in ("ON", "OFF", "OPTIONAL"):
        raise InvalidParameterException("[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.")
    if mode in ("ON", "OPTIONAL") and sms is None and token is None and email is None:
        raise InvalidParameterException(
            "At least one of [SmsMfaConfiguration], [SoftwareTokenMfaConfiguration] or [EmailMfaConfiguration] must be provided."
        )
    if sms is not None and "SmsConfiguration" not in sms:
        raise InvalidParameterException("[SmsConfiguration] is a required member of [SmsMfaConfiguration].")
    webauthn = resp._get_param("WebAuthnConfiguration")
    if webauthn is not None:
        require_essentials(pool, "Passkey")  # WebAuthnConfigurationType: "Essentials tier or higher"
    previous = (email_mfa_config(pool), passkeys.config(pool))
    set_email_mfa_config(pool, email)  # its own checks first: a refused request changes nothing else
    try:
        passkeys.set_config(pool, webauthn)
    except Exception:
        pool.email_mfa_config = previous[0]
        raise
    backend.set_user_pool_mfa_config(pool.id, sms, token, mode)
    return mfa_config_json(pool)


def get_user_pool_mfa_config(resp) -> dict:
    _, pool = find_pool(resp._get_param("UserPoolId") or "")
    return mfa_config_json(pool)


def mfa_config_json(pool) -> dict:
    body = {
        "SmsMfaConfiguration": pool.sms_mfa_config,
        "SoftwareTokenMfaConfiguration": pool.token_mfa_config,
        "MfaConfiguration": pool.mfa_config,
    }
    if email_mfa_config(pool) is not None:
        body["EmailMfaConfiguration"] = email_mfa_config(pool)
    if passkeys.config(pool) is not None:
        body["WebAuthnConfiguration"] = dict(passkeys.config(pool))
    return {k: v for k, v in body.items() if v is not None}
