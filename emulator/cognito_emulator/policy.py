"""Password policy and attribute schema checks, with real Cognito's messages."""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from moto.cognitoidp.utils import validate_username_format

from .errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    InvalidPasswordException,
    EXPIRED_CODE,
    WRONG_CODE,
)

# The symbols Cognito counts for RequireSymbols.
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


# Set while SignUp creates a user without a password (passwordless sign-up, signup.py), so moto's
# own password check (patched to validate_password) lets the missing password through.
_PASSWORDLESS: ContextVar[bool] = ContextVar("passwordless", default=False)


@contextmanager
def passwordless():
    token = _PASSWORDLESS.set(True)
    try:
        yield
    finally:
        _PASSWORDLESS.reset(token)


def validate_password_unless_passwordless(pool, password: str | None) -> None:
    if password is None and _PASSWORDLESS.get():
        return
    validate_password(pool, password)


def validate_password(pool, password: str | None) -> None:
    policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
    password = password or ""
    checks = [
        (len(password) >= policy.get("MinimumLength", 8), "Password not long enough"),
        (not policy.get("RequireLowercase") or re.search("[a-z]", password), "Password must have lowercase characters"),
        (not policy.get("RequireUppercase") or re.search("[A-Z]", password), "Password must have uppercase characters"),
        (not policy.get("RequireNumbers") or re.search("[0-9]", password), "Password must have numeric characters"),
        (not policy.get("RequireSymbols") or SYMBOLS & set(password), "Password must have symbol characters"),
    ]
    for ok, reason in checks:
        if not ok:
            raise InvalidPasswordException(f"Password did not conform with policy: {reason}")


def validate_attributes(pool, attributes: list[dict], prefix: str, updating: bool) -> None:
    """Reject attributes outside the pool schema, immutable ones and malformed email/phone.
    prefix differs per operation, as in Cognito ("Attributes did not conform to the schema: ")."""
    problems = []
    for attribute in attributes:
        name, value = attribute.get("Name", ""), attribute.get("Value", "")
        schema = pool.schema_attributes.get(name)
        if schema is None:
            problems.append(f"{name}: Attribute does not exist in the schema.")
        elif name == "sub" or (updating and not schema.mutable):
            problems.append(f"{name}: Attribute cannot be updated. (changing an immutable attribute)")
        elif name == "email" and value and not validate_username_format(value, "email"):
            problems.append("Invalid email address format.")
        elif name == "phone_number" and value and not re.fullmatch(r"\+[0-9]{4,15}", value):
            problems.append("Invalid phone number format.")
    if problems:
        raise InvalidParameterException(prefix + "\n".join(problems))


def raise_for_code(status: str) -> None:
    """Turn codes.check()'s verdict into Cognito's error."""
    if status == "mismatch":
        raise CodeMismatchException(WRONG_CODE)
    if status == "expired":
        raise ExpiredCodeException(EXPIRED_CODE)
