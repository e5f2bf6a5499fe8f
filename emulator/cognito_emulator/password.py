"""The password factor and what follows it: the password and SRP checks, NEW_PASSWORD_REQUIRED, the MFA
challenge the user's settings call for, or tokens.

Shared by the password flows (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH: auth.py)
and USER_AUTH's PASSWORD / PASSWORD_SRP (userauth.py), which is why it is a module of its own below both.
"""

import base64
import secrets

from moto.cognitoidp.models import UserStatus

from . import attempts, challenges, codes, srp
from .errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    INVALID_SESSION,
    WRONG_CREDENTIALS,
)
from .lookup import check_secret_hash, find_user
from .mfa import EMAIL, SMS, TOTP, enabled_mfa, has_verified_phone
from .poolconfig import email_mfa_config
from .sessions import open_session, validity_seconds


def mfa_challenge(pool, client, user, method: str) -> dict:
    """The challenge for one MFA method (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA), its code sent if it has one."""
    if method == TOTP:
        return challenges.issue(pool, client, user, TOTP)
    if method == EMAIL:
        # The email code as MFA: challenge EMAIL_OTP with the delivery details, as for SMS_MFA
        # (AWS developer guide, "SMS and email message MFA": "The ChallengeParameters in the API
        # response includes a CODE_DELIVERY_DESTINATION value that indicates where the authorization
        # code was sent"). The code lives as long as the session.
        token = open_session(pool, client.id, user, EMAIL, stage="mfa")
        lifetime = validity_seconds(pool, client.id)
        details = codes.send(pool.id, user, "EMAIL_MFA", f"EMAIL_OTP:{token}", "email", lifetime)
        parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": details["Destination"]}
        return challenges.issue(pool, client, user, EMAIL, parameters, token)
    token = open_session(pool, client.id, user, SMS)
    details = codes.send(pool.id, user, "SMS_MFA", f"SMS_MFA:{token}", "phone_number")
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": details["Destination"]}
    return challenges.issue(pool, client, user, SMS, parameters, token)


def mfa_or_tokens(backend, pool, client, user) -> dict:
    """After the password: the MFA challenge the user's settings call for, else tokens."""
    if pool.mfa_config != "OFF":
        enabled = enabled_mfa(user)
        if user.preferred_mfa_setting in enabled:
            return mfa_challenge(pool, client, user, user.preferred_mfa_setting)
        if len(enabled) >= 2:
            return challenges.issue(pool, client, user, "SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": challenges.compact(enabled)})
        if enabled:
            return mfa_challenge(pool, client, user, enabled[0])
        if pool.mfa_config == "ON":
            # Required MFA: a verified phone is used for SMS as is, then an email when the pool sends
            # email MFA; otherwise the user must set up TOTP. AWS API reference, ChallengeNameType
            # MFA_SETUP: "To set up SMS or email MFA, collect a phone_number or email attribute for the
            # user. Then restart the authentication flow" - i.e. an email is used once there is one.
            if has_verified_phone(user):
                return mfa_challenge(pool, client, user, SMS)
            if email_mfa_config(pool) is not None and user.attribute_lookup.get("email"):
                return mfa_challenge(pool, client, user, EMAIL)
            return challenges.issue(pool, client, user, "MFA_SETUP", {"MFAS_CAN_SETUP": challenges.compact([TOTP])})
    return backend._log_user_in(pool, client, user.username)


def _after_password(backend, pool, client, user) -> dict:
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        attributes = {k: v for k, v in user.attribute_lookup.items() if k != "sub"}
        required = [
            f"userAttributes.{a.name}"
            for a in pool.schema_attributes.values()
            if a.required and a.name != "sub" and a.name not in attributes
        ]
        parameters = {"userAttributes": challenges.compact(attributes), "requiredAttributes": challenges.compact(required)}
        return challenges.issue(pool, client, user, "NEW_PASSWORD_REQUIRED", parameters)
    return mfa_or_tokens(backend, pool, client, user)


def check_password(backend, pool, client, user, password: str | None) -> dict:
    """The password factor for a known user, in Cognito's order of checks; then NEW_PASSWORD_REQUIRED,
    MFA or tokens. Shared by USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and USER_AUTH's PASSWORD."""
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    attempts.check(pool.id, user)
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.password is None or user.password != password:  # a passwordless user has no password
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    return _after_password(backend, pool, client, user)


# --- SRP (USER_SRP_AUTH, and USER_AUTH's PASSWORD_SRP) ---

# Session keys of SRP logins in progress, by SECRET_BLOCK (moto's session id for them).
_SRP_KEYS: dict[str, bytes] = {}


def srp_start(backend, pool, client, parameters: dict) -> dict:
    """moto opens the session and checks the user; we replace its random SALT/SRP_B with real ones."""
    user = find_user(pool, parameters.get("USERNAME"))
    if user is not None:
        attempts.check(pool.id, user)
    started = backend.initiate_auth(client.id, "USER_SRP_AUTH", parameters)
    challenge = started["ChallengeParameters"]
    user = find_user(pool, challenge["USERNAME"])
    try:
        # A passwordless user has no password: a random one makes every proof fail (no "" password).
        password = user.password if user.password is not None else secrets.token_hex(32)
        values, key = srp.start(pool.id, challenge["USER_ID_FOR_SRP"], password, parameters["SRP_A"])
    except ValueError:
        raise InvalidParameterException("SRP_A is invalid") from None
    challenge.update(values)
    # The secret block is opaque to the client; Cognito's is base64, and the proof decodes it.
    block = base64.b64encode(challenge["SECRET_BLOCK"].encode()).decode()
    backend.sessions[block] = backend.sessions.pop(challenge["SECRET_BLOCK"])
    challenge["SECRET_BLOCK"] = block
    _SRP_KEYS[block] = key
    return started


def password_verifier(backend, pool, client, answers: dict) -> dict:
    """The SRP answer to the session opened by `srp_start`: the proof must match the password."""
    block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    started, key = backend.sessions.pop(block, None), _SRP_KEYS.pop(block, None)
    if started is None or key is None:
        raise NotAuthorizedException(INVALID_SESSION)
    for name in ("PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
        if not answers.get(name):
            raise InvalidParameterException(f"Missing required parameter {name}")
    user = find_user(pool, answers.get("USERNAME"))
    if user is None or user is not find_user(pool, started[0]):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    signature, timestamp = answers["PASSWORD_CLAIM_SIGNATURE"], answers["TIMESTAMP"]
    if not srp.proof_matches(key, pool.id, user.id, block, timestamp, signature):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    check_secret_hash(client, answers["USERNAME"], answers.get("SECRET_HASH"))
    if user.status == UserStatus.RESET_REQUIRED:  # moto's SRP start does not check this
        raise PasswordResetRequiredException("Password reset required for the user")
    return _after_password(backend, pool, client, user)
