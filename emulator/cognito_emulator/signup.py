"""SignUp, its confirmation code, and the forgotten-password code: real codes in the outbox
(moto generates none for sign-up and accepts any code), and user-existence prevention; passwordless
sign-up and the Session that lets ConfirmSignUp lead straight into a USER_AUTH sign-in."""

from moto.cognitoidp.models import UserStatus
from moto.cognitoidp.utils import validate_username_format

from . import codes
from .errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
    UsernameExistsException,
    INVALID_SESSION,
    WRONG_CODE,
)
from .lookup import check_secret_hash, find_client, find_user, prevents_existence_errors
from .policy import passwordless, raise_for_code, validate_attributes, validate_password
from .sessions import close_session, get_session, open_session
from .userauth import passwordless_sign_up_allowed

UNKNOWN_USER = "Username/client id combination not found."
LEGACY_RECOVERY = ["phone_number", "email"]  # pools without AccountRecoverySetting


def _client_and_user(resp):
    """(backend, pool, client, user or None) for the unauthenticated calls, SECRET_HASH checked."""
    username = resp._get_param("Username")
    backend, pool, client = find_client(resp._get_param("ClientId"))
    check_secret_hash(client, username, resp._get_param("SecretHash"))
    return backend, pool, client, find_user(pool, username)


def _confirmation_attribute(pool, user=None) -> str | None:
    """Where the sign-up code goes: an auto-verified attribute the user has, the phone first
    (Cognito texts the code when it could verify both). Without a user: the likely one."""
    auto = pool.extended_config.get("AutoVerifiedAttributes", [])
    for attribute in ("phone_number", "email"):
        if attribute in auto and (user is None or user.attribute_lookup.get(attribute)):
            return attribute
    return None


def _recovery_attributes(pool) -> list[str]:
    mechanisms = pool.extended_config.get("AccountRecoverySetting", {}).get("RecoveryMechanisms")
    if not mechanisms:
        return LEGACY_RECOVERY
    names = [m["Name"] for m in sorted(mechanisms, key=lambda m: m["Priority"])]
    if names == ["admin_only"]:
        raise NotAuthorizedException("Contact administrator to reset password.")
    return [{"verified_email": "email", "verified_phone_number": "phone_number"}[n] for n in names]


def _attributes_with_username(pool, username: str, attributes: list[dict]) -> dict:
    """The attributes the user will have: in email/phone-as-username pools the username is one."""
    found = {a.get("Name"): a.get("Value") for a in attributes}
    for attribute in pool.extended_config.get("UsernameAttributes") or []:
        if validate_username_format(username or "", _format=attribute):
            found.setdefault(attribute, username)
            break
    return found


# AWS's wording for a SignUp without a password where passwordless sign-up is not possible is unknown;
# this is the validation error AWS gave for a missing Password before it became optional.
PASSWORD_REQUIRED = "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null"


def sign_up(resp) -> dict:
    username, password = resp._get_param("Username"), resp._get_param("Password")
    attributes = resp._get_param("UserAttributes", [])
    backend, pool, client, existing = _client_and_user(resp)
    validate_attributes(pool, attributes, "Attributes did not conform to the schema: ", updating=False)
    if existing is not None:
        raise UsernameExistsException("User already exists")
    if password:
        # moto creates the user (username attributes, password policy via our patched check).
        user, _ = backend.sign_up(client.id, username, password, attributes)
    else:
        # AWS API reference, SignUp Password: "To create a user with no password, omit this parameter
        # or submit a blank value. You can only create a passwordless user when passwordless sign-in
        # is available." The conditions are in userauth.passwordless_sign_up_allowed.
        if not passwordless_sign_up_allowed(pool, client, _attributes_with_username(pool, username, attributes)):
            raise InvalidParameterException(PASSWORD_REQUIRED)
        with passwordless():
            user, _ = backend.sign_up(client.id, username, None, attributes)
    result = {"UserConfirmed": False, "UserSub": user.id}
    attribute = _confirmation_attribute(pool, user)
    if attribute:
        result["CodeDeliveryDetails"] = codes.send(pool.id, user, "SIGN_UP", "SIGN_UP", attribute)
    # AWS API reference, SignUpResponse Session: "A session Id that you can pass to ConfirmSignUp when
    # you want to immediately sign in your user with the USER_AUTH flow after they complete sign-up."
    # Returned on every SignUp (the reference names no condition); it lasts the client's
    # AuthSessionValidity like every session here (its real lifetime is unverified).
    result["Session"] = open_session(pool, client.id, user, "SIGN_UP")
    return result


def confirm_sign_up(resp) -> dict:
    _, pool, client, user = _client_and_user(resp)
    if user is None:
        if prevents_existence_errors(client):
            raise CodeMismatchException(WRONG_CODE)
        raise UserNotFoundException(UNKNOWN_USER)
    if user.status != UserStatus.UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status.value}")
    # ConfirmSignUpRequest Session: "The optional session ID from a SignUp API request." An invalid,
    # expired or foreign one is refused before the code is used (AWS's answer here is unverified).
    token = resp._get_param("Session")
    if token:
        session = get_session(token, "SIGN_UP", client.id)
        if session.user_sub != user.id:
            raise NotAuthorizedException(INVALID_SESSION)
    raise_for_code(codes.check(pool.id, user, "SIGN_UP", resp._get_param("ConfirmationCode")))
    user.status = UserStatus.CONFIRMED
    # The code proved the user reads that mailbox/phone.
    attribute = _confirmation_attribute(pool, user)
    if attribute:
        user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])
    if not token:
        return {}
    # ConfirmSignUpResponse Session: "A session identifier that you can use to immediately sign in the
    # confirmed user" (InitiateAuth USER_AUTH with this Session, userauth.py).
    close_session(token)
    return {"Session": open_session(pool, client.id, user, "CONFIRM_SIGN_UP")}


def resend_confirmation_code(resp) -> dict:
    _, pool, client, user = _client_and_user(resp)
    if user is None:
        if prevents_existence_errors(client):
            attribute = _confirmation_attribute(pool)
            return {"CodeDeliveryDetails": codes.simulated_delivery(attribute, resp._get_param("Username"))}
        raise UserNotFoundException(UNKNOWN_USER)
    if user.status != UserStatus.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    attribute = _confirmation_attribute(pool, user)
    if attribute is None:
        raise InvalidParameterException("Auto verification not turned on.")
    return {"CodeDeliveryDetails": codes.send(pool.id, user, "SIGN_UP", "SIGN_UP", attribute)}


def forgot_password(resp) -> dict:
    _, pool, client, user = _client_and_user(resp)
    recovery = _recovery_attributes(pool)
    if user is None:
        if prevents_existence_errors(client):
            return {"CodeDeliveryDetails": codes.simulated_delivery(recovery[0], resp._get_param("Username"))}
        raise UserNotFoundException(UNKNOWN_USER)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    verified = [a for a in recovery if user.attribute_lookup.get(a) and user.attribute_lookup.get(f"{a}_verified") == "true"]
    if not verified:
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    return {"CodeDeliveryDetails": codes.send(pool.id, user, "FORGOT_PASSWORD", "FORGOT_PASSWORD", verified[0])}


def confirm_forgot_password(resp) -> None:
    _, pool, client, user = _client_and_user(resp)
    if user is None:
        if prevents_existence_errors(client):
            raise CodeMismatchException(WRONG_CODE)
        raise UserNotFoundException(UNKNOWN_USER)
    password = resp._get_param("Password")
    validate_password(pool, password)  # before the code, so a weak password does not burn it
    raise_for_code(codes.check(pool.id, user, "FORGOT_PASSWORD", resp._get_param("ConfirmationCode")))
    user.password, user.status = password, UserStatus.CONFIRMED
