"""The signed-in user's own calls (access token): profile, attributes and their verification,
password change, account deletion. moto lacks most of these or skips the checks."""

from . import codes
from .errors import InvalidParameterException, NotAuthorizedException, WRONG_CREDENTIALS
from .lookup import user_for_access_token
from .policy import raise_for_code, validate_attributes, validate_password

VERIFIABLE = ("email", "phone_number")


def get_user(resp) -> dict:
    _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    body = user.to_json(extended=True, attributes_key="UserAttributes")
    return {k: body[k] for k in ("Username", "UserAttributes", "PreferredMfaSetting", "UserMFASettingList") if k in body}


def change_password(resp) -> None:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    # AWS API reference, ChangePassword PreviousPassword: "Required if the user has a password. If the
    # user has no password and only signs in with passwordless authentication options, you can omit
    # this parameter."
    previous = resp._get_param("PreviousPassword")
    if user.password is None and previous is None:
        pass
    elif user.password is None or user.password != previous:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    validate_password(pool, resp._get_param("ProposedPassword"))
    user.password = resp._get_param("ProposedPassword")


def update_user_attributes(resp) -> dict:
    """A changed email/phone becomes unverified and gets a code, as Cognito does."""
    backend, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    attributes = resp._get_param("UserAttributes") or []
    validate_attributes(pool, attributes, "Invalid user attributes: ", updating=True)
    new_values = {a["Name"]: a.get("Value", "") for a in attributes}
    backend._verify_email_is_not_used(pool.id, new_values.get("email"))  # email-as-username pools
    changed = [a for a in VERIFIABLE if new_values.get(a) and new_values[a] != user.attribute_lookup.get(a)]
    user.update_attributes(attributes)
    details = []
    for attribute in changed:
        user.update_attributes([{"Name": f"{attribute}_verified", "Value": "false"}])
        details.append(codes.send(pool.id, user, "VERIFY_ATTRIBUTE", f"VERIFY:{attribute}", attribute))
    return {"CodeDeliveryDetailsList": details} if details else {}


def get_user_attribute_verification_code(resp) -> dict:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    attribute = resp._get_param("AttributeName")
    if attribute not in VERIFIABLE or not user.attribute_lookup.get(attribute):
        raise InvalidParameterException(f"Invalid attribute name or the user has no {attribute}.")
    return {"CodeDeliveryDetails": codes.send(pool.id, user, "VERIFY_ATTRIBUTE", f"VERIFY:{attribute}", attribute)}


def verify_user_attribute(resp) -> None:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    attribute = resp._get_param("AttributeName")
    if attribute not in VERIFIABLE:
        raise InvalidParameterException(f"Invalid attribute name: {attribute}")
    raise_for_code(codes.check(pool.id, user, f"VERIFY:{attribute}", resp._get_param("Code")))
    user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])


def delete_attributes(pool, user, names: list[str]) -> None:
    """DeleteUserAttributes semantics, shared by the user and admin calls. Names outside the schema,
    and required or immutable ones, are refused; a schema attribute the user simply does not have is
    not an error: AWS answers DeleteUserAttributes with 200 for it (observed on AWS, recorded in the
    project's shared notes, docs/cognito-emulator.md), where moto raises "Attribute does not exist".
    AdminDeleteUserAttributes is assumed to behave the same (unverified against AWS)."""
    for name in names:
        schema = pool.schema_attributes.get(name)
        if schema is None:
            raise InvalidParameterException(f"Invalid user attributes: user.{name}: Attribute does not exist in the schema.")
        if name == "sub" or schema.required or not schema.mutable:
            raise InvalidParameterException(f"Invalid user attributes: {name}: Required or immutable attribute cannot be deleted.")
    # An attribute goes with its *_verified twin.
    present = [k for k in user.attribute_lookup if k in names or k.removesuffix("_verified") in names]
    user.delete_attributes(present)


def delete_user_attributes(resp) -> None:
    _, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    delete_attributes(pool, user, resp._get_param("UserAttributeNames") or [])


def delete_user(resp) -> None:
    backend, pool, user = user_for_access_token(resp._get_param("AccessToken"))
    pool.sign_out(user.username)  # its tokens die with it
    backend.admin_delete_user(pool.id, user.username)
    codes.forget_user(pool.id, user.id)
