"""Installs the emulator's behaviour into moto's Cognito (models and response handlers)."""

import json
import logging

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult

from . import attempts, auth, authtime, mfa, passkeys, poolconfig, poolmfa, profile, signout, signup, userauth
from .errors import UserNotFoundException
from .lookup import find_user
from .policy import validate_password_unless_passwordless

log = logging.getLogger("cognito_emulator")

# Operation handlers (snake_case of the Cognito operation name), each fn(response) -> dict | None.
HANDLERS = {
    "sign_up": signup.sign_up,
    "confirm_sign_up": signup.confirm_sign_up,
    "resend_confirmation_code": signup.resend_confirmation_code,
    "forgot_password": signup.forgot_password,
    "confirm_forgot_password": signup.confirm_forgot_password,
    "initiate_auth": auth.initiate_auth,
    "admin_initiate_auth": auth.admin_initiate_auth,
    "respond_to_auth_challenge": auth.respond_to_auth_challenge,
    "admin_respond_to_auth_challenge": auth.admin_respond_to_auth_challenge,
    "associate_software_token": mfa.associate_software_token,
    "verify_software_token": mfa.verify_software_token,
    "set_user_mfa_preference": mfa.set_user_mfa_preference,
    "admin_set_user_mfa_preference": mfa.admin_set_user_mfa_preference,
    "set_user_pool_mfa_config": poolmfa.set_user_pool_mfa_config,
    "get_user_pool_mfa_config": poolmfa.get_user_pool_mfa_config,
    "get_user_auth_factors": userauth.get_user_auth_factors,
    "start_web_authn_registration": passkeys.start_registration,
    "complete_web_authn_registration": passkeys.complete_registration,
    "list_web_authn_credentials": passkeys.list_credentials,
    "delete_web_authn_credential": passkeys.delete_credential,
    "get_user": profile.get_user,
    "change_password": profile.change_password,
    "update_user_attributes": profile.update_user_attributes,
    "get_user_attribute_verification_code": profile.get_user_attribute_verification_code,
    "verify_user_attribute": profile.verify_user_attribute,
    "delete_user_attributes": profile.delete_user_attributes,
    "delete_user": profile.delete_user,
    "global_sign_out": signout.global_sign_out,
    "revoke_token": signout.revoke_token,
}


def _as_method(fn):
    def method(self):
        result = fn(self)
        if isinstance(result, ActionResult):  # a fallback to moto's own handler
            return result
        return EmptyResult() if result is None else ActionResult(result)

    method.__name__ = fn.__name__
    return method


def _json_error(status: int, error_type: str, message: str):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amzn-ErrorType": error_type}
    return status, headers, json.dumps({"__type": error_type, "message": message})


_moto_call_action = CognitoIdpResponse.call_action


def _call_action(self):
    """Unimplemented operations and moto crashes become AWS JSON errors, not HTML 500 pages."""
    try:
        return _moto_call_action(self)
    except NotImplementedError:
        return _json_error(400, "UnsupportedOperationException", f"The emulator does not implement {self._get_action()}")
    except Exception as error:  # noqa: BLE001 - any crash must still reach the SDK as JSON
        log.exception("%s failed", self._get_action())
        return _json_error(500, "InternalErrorException", f"Emulator error: {error!r}")


_moto_user_to_json = CognitoIdpUser.to_json


def _user_to_json(self, *args, **kwargs):
    """Cognito omits MFA fields that are empty; moto sends [] and "". moto knows no email MFA."""
    body = _moto_user_to_json(self, *args, **kwargs)
    if "UserMFASettingList" in body and getattr(self, "email_mfa_enabled", False):
        body["UserMFASettingList"] = [*body["UserMFASettingList"], mfa.EMAIL]
    for key in ("MFAOptions", "UserMFASettingList", "PreferredMfaSetting"):
        if key in body and not body[key]:
            del body[key]
    return body


def _validate_password(self, user_pool_id, password):
    validate_password_unless_passwordless(self.describe_user_pool(user_pool_id), password)


def _admin_set_user_mfa_preference(self, user_pool_id, username, software_token_mfa_settings, sms_mfa_settings):
    pool = self.describe_user_pool(user_pool_id)
    mfa.set_mfa_preference(pool, self.admin_get_user(user_pool_id, username), sms_mfa_settings, software_token_mfa_settings)


_moto_log_user_in = CognitoIdpBackend._log_user_in


def _log_user_in(self, user_pool, client, username):
    """Every sign-in that ends in tokens: a success clears the code-failure count (attempts.py), and a
    user who has signed in can no longer use the sign-up Session (userauth.py)."""
    user = user_pool._get_user(username)
    if user is not None:
        user.emulator_signed_in = True
        attempts.succeeded(user_pool.id, user.id)
    return _moto_log_user_in(self, user_pool, client, username)


def _admin_delete_user_attributes(self, user_pool_id, username, attributes):
    profile.delete_attributes(self.describe_user_pool(user_pool_id), self.admin_get_user(user_pool_id, username), attributes)


def _admin_get_user(self, user_pool_id, username):
    """Admin calls find a user by sub or alias too, as Cognito does (moto: username only)."""
    user = find_user(self.describe_user_pool(user_pool_id), username)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


def install() -> None:
    for name, fn in HANDLERS.items():
        setattr(CognitoIdpResponse, name, _as_method(fn))
    CognitoIdpResponse.call_action = _call_action
    CognitoIdpUser.to_json = _user_to_json
    # moto's own paths (AdminSetUserPassword, AdminCreateUser, ...) get the same rules.
    CognitoIdpBackend._validate_password = _validate_password
    CognitoIdpBackend.admin_set_user_mfa_preference = _admin_set_user_mfa_preference
    CognitoIdpBackend.admin_get_user = _admin_get_user
    CognitoIdpBackend.admin_delete_user_attributes = _admin_delete_user_attributes
    CognitoIdpBackend._log_user_in = _log_user_in
    poolconfig.install()
    authtime.install()
