"""Per-user TOTP secrets and MFA settings (moto shares one 12-char TOTP secret among all users)."""

import base64
import secrets

from cryptography.hazmat.primitives.twofactor import InvalidToken
from moto.cognitoidp.utils import cognito_totp, verify_totp

from .errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    INVALID_SESSION,
    SoftwareTokenMFANotFoundException,
)
from .lookup import find_pool, find_user, user_for_access_token
from .sessions import close_session, get_session, open_session

SMS, TOTP = "SMS_MFA", "SOFTWARE_TOKEN_MFA"


def has_verified_phone(user) -> bool:
    return bool(user.attribute_lookup.get("phone_number")) and user.attribute_lookup.get("phone_number_verified") == "true"


def enabled_mfa(user) -> list[str]:
    """The user's enabled methods, in the order Cognito lists them in MFAS_CAN_CHOOSE."""
    return [m for m, on in ((SMS, user.sms_mfa_enabled), (TOTP, user.software_token_mfa_enabled)) if on]


def totp_matches(secret: str | None, code: str | None) -> bool:
    """Current 30 s window, or the one before or after: Cognito tolerates that much clock skew."""
    if not secret or not code:
        return False
    try:
        verify_totp(cognito_totp(secret), code.encode(), valid_window=1)
    except (InvalidToken, ValueError):
        return False
    return True


def set_mfa_preference(user, sms: dict | None, totp: dict | None) -> None:
    """SetUserMFAPreference semantics, shared by the user and admin calls (all checks first)."""
    # AWS API reference, SMSMfaSettingsType: "Phone numbers don't need to be verified to be used for
    # SMS MFA." So only a missing phone_number is refused (with this message, as AWS answers it);
    # an unverified one is accepted, and the first SMS MFA sign-in verifies it (see auth.py).
    if sms and sms.get("Enabled") and not user.attribute_lookup.get("phone_number"):
        raise InvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
    if totp and totp.get("Enabled") and not user.token_verified:
        raise InvalidParameterException("User has not set up software token mfa")
    for settings, method, flag in ((sms, SMS, "sms_mfa_enabled"), (totp, TOTP, "software_token_mfa_enabled")):
        if settings is None:
            continue
        enabled = bool(settings.get("Enabled"))
        setattr(user, flag, enabled)
        if enabled and settings.get("PreferredMfa"):
            user.preferred_mfa_setting = method
        elif user.preferred_mfa_setting == method:
            user.preferred_mfa_setting = None


def set_user_mfa_preference(resp) -> None:
    _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    set_mfa_preference(user, resp._get_param("SMSMfaSettings"), resp._get_param("SoftwareTokenMfaSettings"))


def _session_user(token: str):
    """The user of an MFA_SETUP session (AssociateSoftwareToken/VerifySoftwareToken by Session)."""
    session = get_session(token, "MFA_SETUP")
    _, pool = find_pool(session.pool_id)
    user = find_user(pool, session.user_sub)
    if user is None:
        raise NotAuthorizedException(INVALID_SESSION)
    return session, pool, user


def associate_software_token(resp) -> dict:
    """A fresh 160-bit secret per call; it only replaces the active one once verified."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    token = resp._get_param("Session")
    if token:
        session, pool, user = _session_user(token)
        user.totp_pending = secret
        close_session(token)
        return {"SecretCode": secret, "Session": open_session(pool, session.client_id, user, "MFA_SETUP")}
    if not resp._get_param("AccessToken"):
        raise InvalidParameterException("Either AccessToken or Session must be provided.")
    _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    user.totp_pending = secret
    return {"SecretCode": secret}


def verify_software_token(resp) -> dict:
    token = resp._get_param("Session")
    if token:
        session, pool, user = _session_user(token)
    else:
        _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    pending = getattr(user, "totp_pending", None)
    if not pending:
        raise SoftwareTokenMFANotFoundException("Software Token MFA has not been associated with the user.")
    if not totp_matches(pending, resp._get_param("UserCode")):
        raise EnableSoftwareTokenMFAException("Code mismatch")
    user.totp_secret, user.totp_pending, user.token_verified = pending, None, True
    if not token:
        return {"Status": "SUCCESS"}
    close_session(token)
    return {"Status": "SUCCESS", "Session": open_session(pool, session.client_id, user, "MFA_SETUP", totp_verified=True)}
