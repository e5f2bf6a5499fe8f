"""InitiateAuth / RespondToAuthChallenge: the entry points of every sign-in flow. The password flows,
user-existence prevention and the answers to the MFA challenges are here (moto only partly does this
and accepts any code); the password factor and the challenges that follow it are in password.py, and
choice-based sign-in (USER_AUTH) in userauth.py."""

from moto.cognitoidp.models import UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse

from . import attempts, codes, userauth
from .challenges import client_allows
from .errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UserNotFoundException,
    EXPIRED_CODE,
    INVALID_SESSION,
    WRONG_CODE_OR_STATE,
    WRONG_CREDENTIALS,
)
from .lookup import check_secret_hash, find_client, find_user, prevents_existence_errors
from .mfa import EMAIL, SMS, TOTP, enabled_mfa, totp_matches
from .password import check_password, mfa_challenge, mfa_or_tokens, password_verifier, srp_start
from .policy import validate_attributes, validate_password
from .sessions import close_session, get_session

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


def _require_flow(client, flow: str) -> None:
    if not client_allows(client, flow):
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


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
        return userauth.initiate(backend, pool, client, parameters, resp._get_param("Session"))
    return _moto_initiate_auth(resp)


def admin_initiate_auth(resp):
    flow = resp._get_param("AuthFlow")
    if flow not in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        return _moto_admin_initiate_auth(resp)
    backend, pool, client = find_client(resp._get_param("ClientId"))
    if pool.id != resp._get_param("UserPoolId"):
        raise ResourceNotFoundException(f"User pool client {client.id} does not exist.")
    _require_flow(client, "ADMIN_USER_PASSWORD_AUTH")
    return _password_auth(backend, pool, client, resp._get_param("AuthParameters") or {})


def _respond(client_id: str, name: str, token: str | None, answers: dict) -> dict:
    backend, pool, client = find_client(client_id)
    if name == "PASSWORD_VERIFIER":
        return password_verifier(backend, pool, client, answers)
    session = get_session(token, name, client.id)
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
        return mfa_or_tokens(backend, pool, client, user)
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
        return mfa_challenge(pool, client, user, choice)
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
