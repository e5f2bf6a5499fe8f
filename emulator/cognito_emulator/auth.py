"""InitiateAuth / RespondToAuthChallenge: password checks, user-existence prevention, and the
MFA challenges driven by each user's settings (moto only partly does this and accepts any code)."""

import base64
import json
import secrets

from moto.cognitoidp.models import UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse

from . import attempts, codes, srp
from .errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    ResourceNotFoundException,
    UserNotConfirmedException,
    UserNotFoundException,
    EXPIRED_CODE,
    INVALID_SESSION,
    WRONG_CODE_OR_STATE,
    WRONG_CREDENTIALS,
)
from .lookup import check_secret_hash, find_client, find_user, prevents_existence_errors
from .mfa import EMAIL, SMS, TOTP, enabled_mfa, has_verified_phone, totp_matches
from .poolconfig import email_mfa_config
from .policy import validate_attributes, validate_password
from .sessions import close_session, get_session, open_session, validity_seconds

# The answer each challenge must carry besides USERNAME.
REQUIRED_ANSWER = {
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
    SMS: "SMS_MFA_CODE",
    TOTP: "SOFTWARE_TOKEN_MFA_CODE",
    EMAIL: "EMAIL_OTP_CODE",
    "SELECT_MFA_TYPE": "ANSWER",
}

# moto's handlers for the flows we leave to it (SRP's first step, refresh tokens).
_moto_initiate_auth = CognitoIdpResponse.initiate_auth
_moto_admin_initiate_auth = CognitoIdpResponse.admin_initiate_auth


def _compact(value) -> str:
    """JSON inside ChallengeParameters, spelled as Cognito does: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'."""
    return json.dumps(value, separators=(",", ":"))


# AWS API reference, UserPoolClientType ExplicitAuthFlows: "If you don't specify a value for
# ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and
# ALLOW_CUSTOM_AUTH."
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]


def client_allows(client, flow: str) -> bool:
    flows = client.extended_config.get("ExplicitAuthFlows") or DEFAULT_FLOWS
    legacy = {"ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH"}.get(flow, flow)
    return f"ALLOW_{flow}" in flows or legacy in flows


def _require_flow(client, flow: str) -> None:
    if not client_allows(client, flow):
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


def _challenge(pool, client, user, name: str, parameters: dict | None = None, token: str | None = None) -> dict:
    token = token or open_session(pool, client.id, user, name)
    return {
        "ChallengeName": name,
        "Session": token,
        "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, **(parameters or {})},
    }


def _mfa_challenge(pool, client, user, method: str) -> dict:
    if method == TOTP:
        return _challenge(pool, client, user, TOTP)
    if method == EMAIL:
        # The email code as MFA: challenge EMAIL_OTP with the delivery details, as for SMS_MFA
        # (AWS developer guide, "SMS and email message MFA": "The ChallengeParameters in the API
        # response includes a CODE_DELIVERY_DESTINATION value that indicates where the authorization
        # code was sent"). The code lives as long as the session.
        token = open_session(pool, client.id, user, EMAIL, stage="mfa")
        lifetime = validity_seconds(pool, client.id)
        details = codes.send(pool.id, user, "EMAIL_MFA", f"EMAIL_OTP:{token}", "email", lifetime)
        parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": details["Destination"]}
        return _challenge(pool, client, user, EMAIL, parameters, token)
    token = open_session(pool, client.id, user, SMS)
    details = codes.send(pool.id, user, "SMS_MFA", f"SMS_MFA:{token}", "phone_number")
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": details["Destination"]}
    return _challenge(pool, client, user, SMS, parameters, token)


def _mfa_or_tokens(backend, pool, client, user) -> dict:
    """After the password: the MFA challenge the user's settings call for, else tokens."""
    if pool.mfa_config != "OFF":
        enabled = enabled_mfa(user)
        if user.preferred_mfa_setting in enabled:
            return _mfa_challenge(pool, client, user, user.preferred_mfa_setting)
        if len(enabled) >= 2:
            return _challenge(pool, client, user, "SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": _compact(enabled)})
        if enabled:
            return _mfa_challenge(pool, client, user, enabled[0])
        if pool.mfa_config == "ON":
            # Required MFA: a verified phone is used for SMS as is, then an email when the pool sends
            # email MFA; otherwise the user must set up TOTP. AWS API reference, ChallengeNameType
            # MFA_SETUP: "To set up SMS or email MFA, collect a phone_number or email attribute for the
            # user. Then restart the authentication flow" - i.e. an email is used once there is one.
            if has_verified_phone(user):
                return _mfa_challenge(pool, client, user, SMS)
            if email_mfa_config(pool) is not None and user.attribute_lookup.get("email"):
                return _mfa_challenge(pool, client, user, EMAIL)
            return _challenge(pool, client, user, "MFA_SETUP", {"MFAS_CAN_SETUP": _compact([TOTP])})
    return backend._log_user_in(pool, client, user.username)


def _after_password(backend, pool, client, user) -> dict:
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        attributes = {k: v for k, v in user.attribute_lookup.items() if k != "sub"}
        required = [
            f"userAttributes.{a.name}"
            for a in pool.schema_attributes.values()
            if a.required and a.name != "sub" and a.name not in attributes
        ]
        parameters = {"userAttributes": _compact(attributes), "requiredAttributes": _compact(required)}
        return _challenge(pool, client, user, "NEW_PASSWORD_REQUIRED", parameters)
    return _mfa_or_tokens(backend, pool, client, user)


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


def _password_auth(backend, pool, client, parameters: dict) -> dict:
    username, password = parameters.get("USERNAME"), parameters.get("PASSWORD")
    for key, value in (("USERNAME", username), ("PASSWORD", password)):
        if not value:
            raise InvalidParameterException(f"Missing required parameter {key}")
    check_secret_hash(client, username, parameters.get("SECRET_HASH"))
    user = find_user(pool, username)
    if user is None:
        if prevents_existence_errors(client):
            raise NotAuthorizedException(WRONG_CREDENTIALS)  # indistinguishable from a wrong password
        raise UserNotFoundException("User does not exist.")
    return check_password(backend, pool, client, user, password)


def initiate_auth(resp):
    flow, parameters = resp._get_param("AuthFlow"), resp._get_param("AuthParameters") or {}
    backend, pool, client = find_client(resp._get_param("ClientId"))
    if flow == "USER_PASSWORD_AUTH":
        _require_flow(client, flow)
        return _password_auth(backend, pool, client, parameters)
    if flow == "USER_SRP_AUTH":
        _require_flow(client, flow)
        if find_user(pool, parameters.get("USERNAME")) is None and prevents_existence_errors(client):
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        return srp_start(backend, pool, client, parameters)
    if flow == "USER_AUTH":
        from . import userauth  # userauth builds on this module

        return userauth.initiate(backend, pool, client, parameters, resp._get_param("Session"))
    return _moto_initiate_auth(resp)


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


def admin_initiate_auth(resp):
    flow = resp._get_param("AuthFlow")
    if flow not in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        return _moto_admin_initiate_auth(resp)
    backend, pool, client = find_client(resp._get_param("ClientId"))
    if pool.id != resp._get_param("UserPoolId"):
        raise ResourceNotFoundException(f"User pool client {client.id} does not exist.")
    _require_flow(client, "ADMIN_USER_PASSWORD_AUTH")
    return _password_auth(backend, pool, client, resp._get_param("AuthParameters") or {})


def _password_verifier(backend, pool, client, answers: dict) -> dict:
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


def _respond(client_id: str, name: str, token: str | None, answers: dict) -> dict:
    backend, pool, client = find_client(client_id)
    if name == "PASSWORD_VERIFIER":
        return _password_verifier(backend, pool, client, answers)
    session = get_session(token, name, client.id)
    from . import userauth  # userauth builds on this module

    if name in userauth.CHALLENGES:  # USER_AUTH's challenges, and EMAIL_OTP as MFA
        return userauth.respond(backend, pool, client, name, token, session, answers)
    user = find_user(pool, session.user_sub)
    # USERNAME is required; it may be the username, the sub or an alias of the session's user.
    given = answers.get("USERNAME")
    for key in ("USERNAME", REQUIRED_ANSWER.get(name)):
        if key and not answers.get(key):
            raise InvalidParameterException(f"Missing required parameter {key}")
    if user is None or find_user(pool, given) is not user:
        raise NotAuthorizedException(INVALID_SESSION)
    check_secret_hash(client, given, answers.get("SECRET_HASH"))

    if name == "NEW_PASSWORD_REQUIRED":
        validate_password(pool, answers.get("NEW_PASSWORD"))
        extra = [{"Name": k.split(".", 1)[1], "Value": v} for k, v in answers.items() if k.startswith("userAttributes.")]
        validate_attributes(pool, extra, "Invalid user attributes: ", updating=True)
        user.update_attributes(extra)
        user.password, user.status = answers["NEW_PASSWORD"], UserStatus.CONFIRMED
        close_session(token)
        return _mfa_or_tokens(backend, pool, client, user)
    if name == SMS:
        attempts.check(pool.id, user)
        verdict = codes.check(pool.id, user, f"SMS_MFA:{token}", answers.get("SMS_MFA_CODE"))
        if verdict == "expired":
            raise ExpiredCodeException(EXPIRED_CODE)
        if verdict == "mismatch":
            attempts.failed(pool.id, user)
            raise CodeMismatchException(WRONG_CODE_OR_STATE)  # session stays usable
        # The code may have gone to an unverified number (mfa.set_mfa_preference). AWS developer guide,
        # "SMS text message MFA": "When a user successfully goes through the SMS text message MFA flow,
        # their phone number is also marked as verified."
        user.update_attributes([{"Name": "phone_number_verified", "Value": "true"}])
    elif name == TOTP:
        attempts.check(pool.id, user)
        if not totp_matches(getattr(user, "totp_secret", None), answers.get("SOFTWARE_TOKEN_MFA_CODE")):
            attempts.failed(pool.id, user)
            raise CodeMismatchException("Invalid code received for user")  # session stays usable
    elif name == "SELECT_MFA_TYPE":
        choice = answers.get("ANSWER")
        if choice not in enabled_mfa(user):
            raise InvalidParameterException(f"Invalid ANSWER: {choice}")
        close_session(token)
        return _mfa_challenge(pool, client, user, choice)
    elif name == "MFA_SETUP":
        if not session.totp_verified:
            raise InvalidParameterException("Software token MFA has not been set up and verified for the user.")
        user.software_token_mfa_enabled = True
    close_session(token)
    return backend._log_user_in(pool, client, user.username)


def respond_to_auth_challenge(resp):
    return _respond(
        resp._get_param("ClientId"),
        resp._get_param("ChallengeName"),
        resp._get_param("Session"),
        resp._get_param("ChallengeResponses") or {},
    )


admin_respond_to_auth_challenge = respond_to_auth_challenge
