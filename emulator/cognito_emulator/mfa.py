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
from . import poolconfig
from .lookup import find_pool, find_user, user_for_access_token
from .sessions import close_session, get_session, open_session

SMS, TOTP = "SMS_MFA", "SOFTWARE_TOKEN_MFA"
# Email codes as MFA. AWS API reference, GetUser UserMFASettingList: "The possible values in this list
# are SMS_MFA, EMAIL_OTP, and SOFTWARE_TOKEN_MFA"; the challenge is EMAIL_OTP, answered with
# EMAIL_OTP_CODE (ChallengeNameType has no EMAIL_MFA, although some doc pages say EMAIL_MFA /
# EMAIL_MFA_CODE; Amplify answers EMAIL_OTP / EMAIL_OTP_CODE against AWS, so that is what we accept).
EMAIL = "EMAIL_OTP"


def has_verified_phone(user) -> bool:
    return bool(user.attribute_lookup.get("phone_number")) and user.attribute_lookup.get("phone_number_verified") == "true"


def enabled_mfa(user) -> list[str]:
    """The user's enabled methods, in the order the emulator lists them in MFAS_CAN_CHOOSE
    (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA: the ChallengeNameType order; AWS's order is unverified)."""
    flags = ((SMS, user.sms_mfa_enabled), (EMAIL, getattr(user, "email_mfa_enabled", False)), (TOTP, user.software_token_mfa_enabled))
    return [m for m, on in flags if on]


def totp_matches(secret: str | None, code: str | None) -> bool:
    """Current 30 s window, or the one before or after: Cognito tolerates that much clock skew."""
    if not secret or not code:
        return False
    try:
        verify_totp(cognito_totp(secret), code.encode(), valid_window=1)
    except (InvalidToken, ValueError):
        return False
    return True


def set_mfa_preference(pool, user, sms: dict | None, totp: dict | None, email: dict | None = None) -> None:
    """SetUserMFAPreference semantics, shared by the user and admin calls (all checks first)."""
    # AWS API reference, SMSMfaSettingsType: "Phone numbers don't need to be verified to be used for
    # SMS MFA." So only a missing phone_number is refused (with this message, as AWS answers it);
    # an unverified one is accepted, and the first SMS MFA sign-in verifies it (see auth.py).
    if sms and sms.get("Enabled") and not user.attribute_lookup.get("phone_number"):
        raise InvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
    if totp and totp.get("Enabled") and not user.token_verified:
        raise InvalidParameterException("User has not set up software token mfa")
    if email and email.get("Enabled"):
        # AWS API reference, EmailMfaSettingsType: "To activate this setting, your user pool must be
        # in the Essentials tier or higher."
        poolconfig.require_essentials(pool, "Email MFA")
        # Unverified wording: AWS's analogue of the SMS message above.
        if not user.attribute_lookup.get("email"):
            raise InvalidParameterException("User does not have delivery config set to turn on EMAIL_OTP")
        # The address need not be verified: AWS developer guide, "SMS and email message MFA": "Amazon
        # Cognito can send messages to unverified email addresses and phone numbers. When a user
        # completes their first MFA, Amazon Cognito marks their email address or phone number as
        # verified." What AWS answers when the pool has no EmailMfaConfiguration (SetUserPoolMfaConfig)
        # is unknown; refusing is the safer model (the pool could not send the code). Wording ours.
        if poolconfig.email_mfa_config(pool) is None:
            raise InvalidParameterException("Email MFA is not configured for this user pool")
    settings = ((sms, SMS, "sms_mfa_enabled"), (totp, TOTP, "software_token_mfa_enabled"), (email, EMAIL, "email_mfa_enabled"))
    for given, method, flag in settings:
        if given is None:
            continue
        enabled = bool(given.get("Enabled"))
        setattr(user, flag, enabled)
        if enabled and given.get("PreferredMfa"):
            user.preferred_mfa_setting = method
        elif user.preferred_mfa_setting == method:
            user.preferred_mfa_setting = None


def set_user_mfa_preference(resp) -> None:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    set_mfa_preference(
        pool,
        user,
        resp._get_param("SMSMfaSettings"),
        resp._get_param("SoftwareTokenMfaSettings"),
        resp._get_param("EmailMfaSettings"),
    )


def admin_set_user_mfa_preference(resp) -> None:
    """moto's handler drops EmailMfaSettings; this one passes all three."""
    backend, pool = find_pool(resp._get_param("UserPoolId") or "")
    user = backend.admin_get_user(pool.id, resp._get_param("Username"))
    set_mfa_preference(
        pool,
        user,
        resp._get_param("SMSMfaSettings"),
        resp._get_param("SoftwareTokenMfaSettings"),
        resp._get_param("EmailMfaSettings"),
    )


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
