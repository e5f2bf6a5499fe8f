"""Choice-based sign-in (InitiateAuth AuthFlow=USER_AUTH): SELECT_CHALLENGE, the PASSWORD /
PASSWORD_SRP / EMAIL_OTP / SMS_OTP first factors, the sign-in straight after sign-up (Session), the
email code as MFA (challenge EMAIL_OTP), and GetUserAuthFactors. moto 5.2.5 has none of it.

Sources (AWS API reference unless said otherwise):
- InitiateAuth AuthParameters, USER_AUTH: "USERNAME (required)", "PREFERRED_CHALLENGE. If you don't
  provide a value for PREFERRED_CHALLENGE, Amazon Cognito responds with the AvailableChallenges
  parameter that specifies the available sign-in methods."
- RespondToAuthChallenge ChallengeResponses: SELECT_CHALLENGE {USERNAME, ANSWER} with ANSWER one of
  PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN; "Complete authentication in the
  SELECT_CHALLENGE response for PASSWORD, PASSWORD_SRP, and WEB_AUTHN" (PASSWORD / SRP_A in the same
  request); for EMAIL_OTP and SMS_OTP "Your user pool will send a code for the user to submit in the
  next challenge response": EMAIL_OTP {USERNAME, EMAIL_OTP_CODE}, SMS_OTP {USERNAME, SMS_OTP_CODE};
  PASSWORD {USERNAME, PASSWORD}; PASSWORD_SRP {USERNAME, SRP_A} (then PASSWORD_VERIFIER).
- Amplify sends PREFERRED_CHALLENGE=PASSWORD with PASSWORD in the first InitiateAuth
  (aws-amplify/amplify-js handleUserAuthFlow.ts), so a preferred PASSWORD/PASSWORD_SRP may carry its
  answer; without it Cognito answers with the PASSWORD / PASSWORD_SRP challenge (inferred from the
  ChallengeNameType docs: "PASSWORD: Respond with the user's password as PASSWORD").
- A preferred challenge the user cannot use falls back to SELECT_CHALLENGE: observed on a real pool
  by a third party in 2026-09 (FORCE_CHANGE_PASSWORD user, PREFERRED_CHALLENGE=EMAIL_OTP ->
  SELECT_CHALLENGE with AvailableChallenges ["PASSWORD_SRP","PASSWORD"]); the same capture shows a
  direct EMAIL_OTP answer still carrying AvailableChallenges (["EMAIL_OTP"]), and a session of about
  3 minutes, single use. The order of AvailableChallenges differs between captures
  (["PASSWORD","PASSWORD_SRP"] in another): do not rely on it.
- Developer guide, "Managing user existence error responses": with PreventUserExistenceErrors
  ENABLED, "For choice-based authentication requests, Amazon Cognito responds with a random selection
  of the challenge types that your user pool permits"; the 2026-09 capture shows an unknown user with
  PREFERRED_CHALLENGE=EMAIL_OTP getting a simulated EMAIL_OTP challenge (nothing is sent).
- Developer guide, "Adding MFA to a user pool": MFA adds factors "to sign in your users who have
  passwords as their primary authentication factor" - so a sign-in with an email/SMS code as the
  first factor ends with tokens, without MFA.
"""

import hashlib
import random

from moto.cognitoidp.models import UserStatus

from . import attempts, challenges, codes, passkeys, poolconfig
from .errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
    UserNotFoundException,
    EXPIRED_SESSION,
    INVALID_SESSION,
    WRONG_CODE_OR_STATE,
    WRONG_CREDENTIALS,
)
from .lookup import check_secret_hash, find_user, prevents_existence_errors, user_for_access_token
from .password import check_password, srp_start
from .sessions import close_session, get_session, open_session, validity_seconds

# The challenges this module answers (EMAIL_OTP is also the email-MFA challenge, see password.py).
CHALLENGES = ("SELECT_CHALLENGE", "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
# PREFERRED_CHALLENGE / ANSWER values (RespondToAuthChallenge ChallengeResponses doc).
CHOICES = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
# The answer each challenge needs besides USERNAME.
REQUIRED_ANSWER = {
    "SELECT_CHALLENGE": "ANSWER",
    "PASSWORD": "PASSWORD",
    "PASSWORD_SRP": "SRP_A",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
    "SMS_OTP": "SMS_OTP_CODE",
    "WEB_AUTHN": "CREDENTIAL",  # ChallengeNameType WEB_AUTHN: "Respond ... as CREDENTIAL"
}
# One-time-password first factors: the attribute the code goes to, and its delivery medium.
OTP = {"EMAIL_OTP": ("email", "EMAIL"), "SMS_OTP": ("phone_number", "SMS")}
# ChallengeNameType spells the choices as the challenges; AuthFactorType has PASSWORD only.
FACTOR_CHALLENGES = {
    "PASSWORD": ["PASSWORD", "PASSWORD_SRP"],
    "EMAIL_OTP": ["EMAIL_OTP"],
    "SMS_OTP": ["SMS_OTP"],
    "WEB_AUTHN": ["WEB_AUTHN"],
}


def _verified(user, attribute: str) -> bool:
    return bool(user.attribute_lookup.get(attribute)) and user.attribute_lookup.get(f"{attribute}_verified") == "true"


def otp_usable(pool, user, factor: str) -> bool:
    """Whether the pool offers this code factor to this user.

    Unverified choices, each the stricter plausible one: the attribute must be verified (passwordless
    sign-up only works when the pool auto-verifies it - developer guide, "Signing up and confirming
    user accounts"); a FORCE_CHANGE_PASSWORD or UNCONFIRMED user gets no code factor (observed for
    FORCE_CHANGE_PASSWORD, 2026-09); and a pool with MFA required offers none (inferred from
    WebAuthnMfaSettingsType: only with passkey MFA is "passkey sign-in ... available when MFA is
    required").
    """
    attribute, _ = OTP[factor]
    return (
        factor in poolconfig.first_factors(pool)
        and pool.mfa_config != "ON"
        and user.status in (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED)
        and _verified(user, attribute)
    )


def available_challenges(pool, user) -> list[str]:
    """AvailableChallenges: the pool's first factors this user can use; WEB_AUTHN once the user has a
    passkey for the pool's relying party (passkeys.usable)."""
    found = []
    if "PASSWORD" in poolconfig.first_factors(pool) and user.password is not None:
        found += FACTOR_CHALLENGES["PASSWORD"]
    found += [factor for factor in OTP if otp_usable(pool, user, factor)]
    return found + (["WEB_AUTHN"] if passkeys.usable(pool, user) else [])


def passwordless_sign_up_allowed(pool, client, attributes: dict) -> bool:
    """Developer guide, "Signing up and confirming user accounts", Passwords at sign-up: a password may
    be omitted only if passwordless sign-in is active in the pool and app client, the user gives a
    value for an allowed passwordless method (email for EMAIL_OTP, phone for SMS_OTP), and the pool
    automatically verifies that attribute."""
    if not challenges.client_allows(client, "USER_AUTH") or poolconfig.tier(pool) == "LITE" or pool.mfa_config == "ON":
        return False
    auto = pool.extended_config.get("AutoVerifiedAttributes", [])
    factors = poolconfig.first_factors(pool)
    return any(f in factors and attributes.get(a) and a in auto for f, (a, _) in OTP.items())


# --- InitiateAuth ---


def initiate(backend, pool, client, parameters: dict, session_token: str | None) -> dict:
    username = parameters.get("USERNAME")
    if not username:
        raise InvalidParameterException("Missing required parameter USERNAME")
    if not challenges.client_allows(client, "USER_AUTH"):
        raise InvalidParameterException("USER_AUTH flow not enabled for this client")
    # AWS API reference, InitiateAuth AuthFlow: USER_AUTH needs "the Essentials tier or higher".
    poolconfig.require_essentials(pool, "USER_AUTH")
    check_secret_hash(client, username, parameters.get("SECRET_HASH"))
    if session_token:
        return _sign_in_after_sign_up(backend, pool, client, username, session_token)
    preferred = parameters.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in CHOICES:
        raise InvalidParameterException(f"Invalid PREFERRED_CHALLENGE: {preferred}")  # wording unverified
    user = find_user(pool, username)
    if user is None:
        if not prevents_existence_errors(client):
            raise UserNotFoundException("User does not exist.")
        return _simulated_start(pool, client, username, preferred, parameters)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    attempts.check(pool.id, user)
    available = available_challenges(pool, user)
    if preferred in available:
        return _offering(_start(backend, pool, client, user, preferred, parameters), available, preferred)
    if not available:
        # Nothing this user can sign in with here (e.g. passwordless and unconfirmed). AWS's answer
        # is unknown; these are the errors the password flows give.
        if user.status == UserStatus.UNCONFIRMED:
            raise UserNotConfirmedException("User is not confirmed.")
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    token = open_session(pool, client.id, user, "SELECT_CHALLENGE", available=available)
    return _offering(challenges.issue(pool, client, user, "SELECT_CHALLENGE", token=token), available)


def _offering(result: dict, available: list[str], preferred: str | None = None) -> dict:
    """InitiateAuth's AvailableChallenges beside SELECT_CHALLENGE or the preferred first-factor
    challenge itself (not beside what follows a password: MFA, a new password, PASSWORD_VERIFIER, tokens)."""
    if result.get("ChallengeName") in ("SELECT_CHALLENGE", preferred):
        result["AvailableChallenges"] = list(available)
    return result


def _start(backend, pool, client, user, choice: str, answers: dict) -> dict:
    """Begin (or, with PASSWORD / SRP_A given, complete) the chosen first factor."""
    if choice == "PASSWORD":
        if "PASSWORD" in answers:
            return check_password(backend, pool, client, user, answers["PASSWORD"])
        return challenges.issue(pool, client, user, "PASSWORD", token=open_session(pool, client.id, user, "PASSWORD"))
    if choice == "PASSWORD_SRP":
        if answers.get("SRP_A"):
            parameters = {k: answers[k] for k in ("USERNAME", "SRP_A", "SECRET_HASH") if answers.get(k)}
            return srp_start(backend, pool, client, parameters)
        return challenges.issue(pool, client, user, "PASSWORD_SRP", token=open_session(pool, client.id, user, "PASSWORD_SRP"))
    if choice == "WEB_AUTHN":
        if answers.get("CREDENTIAL"):
            # ChallengeResponseType shows SELECT_CHALLENGE {ANSWER: WEB_AUTHN, CREDENTIAL} completing at
            # once, but no challenge has been issued for such a credential to sign; AWS's answer to it
            # is unverified, so we refuse it as a failed assertion.
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        options, challenge = passkeys.request_options(pool, user)
        rp_id, uv = options["rpId"], options["userVerification"]
        token = open_session(pool, client.id, user, "WEB_AUTHN", webauthn=(challenge, rp_id, uv))
        parameters = {"CREDENTIAL_REQUEST_OPTIONS": passkeys.compact(options)}
        return challenges.issue(pool, client, user, "WEB_AUTHN", parameters, token)
    attribute, medium = OTP[choice]
    token = open_session(pool, client.id, user, choice, stage="first")
    details = codes.send(pool.id, user, choice, f"{choice}:{token}", attribute, validity_seconds(pool, client.id))
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": details["Destination"]}
    return challenges.issue(pool, client, user, choice, parameters, token)


def _sign_in_after_sign_up(backend, pool, client, username: str, token: str) -> dict:
    """InitiateAuth Session doc: "Amazon Cognito assumes the SMS or email message one-time verification
    password from ConfirmSignUp as the primary authentication factor. You're not required to submit
    this code a second time. This option is only valid for users who have confirmed their sign-up and
    are signing in for the first time within the authentication flow session duration of the session
    ID." A new user has no MFA yet, so this ends with tokens."""
    session = get_session(token, "CONFIRM_SIGN_UP", client.id)
    user = find_user(pool, username)
    if user is None or user.id != session.user_sub or user.status != UserStatus.CONFIRMED:
        raise NotAuthorizedException(INVALID_SESSION)
    if getattr(user, "emulator_signed_in", False):  # not the first sign-in any more
        close_session(token)
        raise NotAuthorizedException(INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    close_session(token)
    return backend._log_user_in(pool, client, user.username)


# --- unknown users (PreventUserExistenceErrors ENABLED) ---


def _simulated_challenges(pool, username: str, preferred: str | None) -> list[str]:
    """A random-looking selection of the pool's first factors, stable per username (so repeating the
    request does not tell a real user from a made-up one), always containing a preferred one."""
    offered = [c for f in poolconfig.first_factors(pool) for c in FACTOR_CHALLENGES.get(f, [])]
    rng = random.Random(hashlib.sha256(f"{pool.id}:{username}".encode()).digest())
    chosen = [c for c in offered if c == preferred or rng.random() < 0.6] or offered[:1]
    return chosen


def _simulated_start(pool, client, username: str, preferred: str | None, answers: dict) -> dict:
    available = _simulated_challenges(pool, username, preferred)
    if preferred in available:
        return _offering(_simulated_challenge(pool, client, username, preferred, answers), available, preferred)
    token = open_session(pool, client.id, None, "SELECT_CHALLENGE", simulated=username, available=available)
    return _offering(_simulated_body("SELECT_CHALLENGE", token, username), available)


def _simulated_challenge(pool, client, username: str, choice: str, answers: dict) -> dict:
    if (choice == "PASSWORD" and "PASSWORD" in answers) or (choice == "PASSWORD_SRP" and answers.get("SRP_A")):
        raise NotAuthorizedException(WRONG_CREDENTIALS)  # as a wrong password (the SRP flows do the same)
    if choice == "WEB_AUTHN" and answers.get("CREDENTIAL"):
        raise NotAuthorizedException(WRONG_CREDENTIALS)  # as for a real user (see _start)
    token = open_session(pool, client.id, None, choice, simulated=username)
    parameters = {}
    if choice == "WEB_AUTHN":
        parameters = {"CREDENTIAL_REQUEST_OPTIONS": passkeys.compact(passkeys.simulated_request_options(pool, username))}
    if choice in OTP:
        attribute, medium = OTP[choice]
        destination = codes.simulated_delivery(attribute, username)["Destination"]
        parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": destination}
    return _simulated_body(choice, token, username, parameters)


def _simulated_body(name: str, token: str, username: str, parameters: dict | None = None) -> dict:
    return {"ChallengeName": name, "Session": token, "ChallengeParameters": {"USER_ID_FOR_SRP": username, **(parameters or {})}}


# --- RespondToAuthChallenge ---


def respond(backend, pool, client, name: str, token: str, session, answers: dict) -> dict:
    given = answers.get("USERNAME")
    for key in ("USERNAME", REQUIRED_ANSWER[name]):
        if not answers.get(key):
            raise InvalidParameterException(f"Missing required parameter {key}")
    simulated = session.data.get("simulated")
    if simulated is not None:
        if given != simulated:
            raise NotAuthorizedException(INVALID_SESSION)
        check_secret_hash(client, given, answers.get("SECRET_HASH"))
        return _respond_simulated(pool, client, name, token, session, answers)
    user = find_user(pool, session.user_sub)
    if user is None or find_user(pool, given) is not user:
        raise NotAuthorizedException(INVALID_SESSION)
    check_secret_hash(client, given, answers.get("SECRET_HASH"))
    if name == "SELECT_CHALLENGE":
        choice = answers["ANSWER"]
        if choice not in session.data.get("available", []):
            raise InvalidParameterException(f"Invalid ANSWER: {choice}")  # wording unverified; session kept
        close_session(token)
        return _start(backend, pool, client, user, choice, answers)
    if name == "PASSWORD":
        close_session(token)
        return check_password(backend, pool, client, user, answers["PASSWORD"])
    if name == "PASSWORD_SRP":
        close_session(token)
        return _start(backend, pool, client, user, "PASSWORD_SRP", answers)
    if name == "WEB_AUTHN":
        # Single use whatever the outcome: a WebAuthn challenge may be answered once (W3C WebAuthn,
        # "Cryptographic Challenges"), so a replayed assertion meets a closed session.
        close_session(token)
        challenge, rp_id, uv = session.data["webauthn"]
        passkeys.verify_assertion(pool, user, challenge, rp_id, uv, answers["CREDENTIAL"])
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        # A passkey is a first factor after which no MFA follows (module docstring of passkeys.py).
        return backend._log_user_in(pool, client, user.username)
    return _check_code(backend, pool, client, user, name, token, answers)


def _check_code(backend, pool, client, user, name: str, token: str, answers: dict) -> dict:
    """EMAIL_OTP (first factor or MFA) and SMS_OTP codes.

    A wrong code: CodeMismatchException, the session stays usable (no in-session limit was observed
    on AWS; the user-level lockout in attempts.py applies). An expired code: the code lives exactly as
    long as its session (~3 minutes, single use), and AWS answers an expired one with
    NotAuthorizedException "Invalid session for the user, session is expired." (observed 2026-09 by a
    third party); /_emulator/expire-codes reproduces that.
    """
    attempts.check(pool.id, user)
    verdict = codes.check(pool.id, user, f"{name}:{token}", answers[REQUIRED_ANSWER[name]])
    if verdict == "expired":
        close_session(token)
        raise NotAuthorizedException(EXPIRED_SESSION)
    if verdict == "mismatch":
        attempts.failed(pool.id, user)
        raise CodeMismatchException(WRONG_CODE_OR_STATE)
    close_session(token)
    # The code proved the address. For MFA: developer guide, "SMS and email message MFA": "When a user
    # completes their first MFA, Amazon Cognito marks their email address or phone number as
    # verified." (A first-factor code only goes to a verified address anyway.)
    attribute = OTP["EMAIL_OTP" if name == "EMAIL_OTP" else "SMS_OTP"][0]
    user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])
    return backend._log_user_in(pool, client, user.username)


def _respond_simulated(pool, client, name: str, token: str, session, answers: dict) -> dict:
    """An unknown user's challenge: it plays along and never succeeds, failing like a real one would."""
    username = session.data["simulated"]
    if name == "SELECT_CHALLENGE":
        choice = answers["ANSWER"]
        if choice not in session.data.get("available", []):
            raise InvalidParameterException(f"Invalid ANSWER: {choice}")
        close_session(token)
        return _simulated_challenge(pool, client, username, choice, answers)
    if name in ("PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"):
        close_session(token)
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    raise CodeMismatchException(WRONG_CODE_OR_STATE)  # session stays, as for a wrong code


# --- GetUserAuthFactors ---


def configured_factors(pool, user) -> list[str]:
    """ConfiguredUserAuthFactors, in AuthFactorType order. API reference: "The authentication types
    that are available to the user with USER_AUTH sign-in ... PASSWORD can only be used as a first
    authentication factor. SOFTWARE_TOKEN can only be used as an MFA factor. EMAIL_OTP, SMS_OTP, and
    WEB_AUTHN can be used as either a first authentication factor or an MFA factor." WEB_AUTHN is
    listed once the user has registered a passkey (our reading; unverified). A real
    AdminGetUserAuthFactors answered [PASSWORD, EMAIL_OTP, SOFTWARE_TOKEN] for a user with a password,
    an email and a verified TOTP but no MFA turned on (third-party capture, 2026-09)."""
    found = []
    if user.password is not None:
        found.append("PASSWORD")
    if otp_usable(pool, user, "EMAIL_OTP") or getattr(user, "email_mfa_enabled", False):
        found.append("EMAIL_OTP")
    if otp_usable(pool, user, "SMS_OTP") or user.sms_mfa_enabled:
        found.append("SMS_OTP")
    if user.token_verified:
        found.append("SOFTWARE_TOKEN")
    if passkeys.has_passkey(user):
        found.append("WEB_AUTHN")
    return found


def get_user_auth_factors(resp) -> dict:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    body = user.to_json(extended=True)
    result = {"Username": user.username}
    for key in ("PreferredMfaSetting", "UserMFASettingList"):
        if body.get(key):
            result[key] = body[key]
    result["ConfiguredUserAuthFactors"] = configured_factors(pool, user)
    return result
