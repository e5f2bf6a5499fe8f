"""One-time codes the emulator "sends", and the outbox where tests read them.

Real Cognito mails or texts a code; here every code is recorded in OUTBOX instead, with the
real destination, so a test can read it back through GET /_emulator/messages.
State here is guarded by the server's request lock (server.py), like moto's own state.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

# How long real Cognito honours each kind of code. The sign-in codes (SMS_MFA, EMAIL_MFA, EMAIL_OTP,
# SMS_OTP) live as long as their challenge session: AWS developer guide, "SMS and email message MFA":
# the code "is valid for the Authentication flow session duration that you set for your app client"
# (3 minutes by default); callers pass the client's AuthSessionValidity for the newer kinds.
LIFETIME_SECONDS = {
    "SIGN_UP": 24 * 3600,
    "VERIFY_ATTRIBUTE": 24 * 3600,
    "FORGOT_PASSWORD": 3600,
    "SMS_MFA": 180,
    "EMAIL_MFA": 180,  # an email code as MFA after a password (challenge EMAIL_OTP)
    "EMAIL_OTP": 180,  # an email code as the first factor (USER_AUTH, userauth.py)
    "SMS_OTP": 180,  # an SMS code as the first factor
}

# Digits per kind. Sign-in email codes are 8 digits on AWS (observed on a real pool in 2026-09 by a
# third party; no AWS page states it): assumed for EMAIL_MFA too, which uses the same email template
# (EmailMfaConfigType: "messages ... with codes for MFA and sign-in with email OTPs"). Unverified.
DIGITS = {"EMAIL_OTP": 8, "EMAIL_MFA": 8}

OUTBOX: list[dict] = []


@dataclass
class _Code:
    code: str
    expires_at: float


# (pool id, user sub, purpose) -> outstanding code. The sub, not the username, so a user
# re-created under the same name never inherits codes; purpose is e.g. "SIGN_UP",
# "FORGOT_PASSWORD", "VERIFY:email", "SMS_MFA:<session>", "EMAIL_OTP:<session>" or
# "SMS_OTP:<session>". A new code replaces the old one.
_codes: dict[tuple[str, str, str], _Code] = {}


def mask_email(email: str) -> str:
    """john@example.com -> j***@e***.com, as Cognito shows a destination."""
    local, _, domain = email.partition("@")
    tld = domain.rsplit(".", 1)[1] if "." in domain else ""
    return f"{local[:1]}***@{domain[:1]}***" + (f".{tld}" if tld else "")


def mask_phone(phone: str) -> str:
    """+15555551234 -> +*******1234."""
    digits = phone.lstrip("+")
    return "+" + "*" * max(len(digits) - 4, 0) + digits[-4:]


def delivery_details(attribute: str, value: str) -> dict:
    """CodeDeliveryDetails for a code sent to `attribute` (email or phone_number)."""
    if attribute == "phone_number":
        return {"Destination": mask_phone(value), "DeliveryMedium": "SMS", "AttributeName": attribute}
    return {"Destination": mask_email(value), "DeliveryMedium": "EMAIL", "AttributeName": attribute}


def simulated_delivery(attribute: str | None, username: str) -> dict:
    """A believable, stable CodeDeliveryDetails for a user that does not exist (prevention on), as
    ResendConfirmationCode and ForgotPassword (signup.py) and USER_AUTH's code challenges (userauth.py)
    show it. Nothing is sent or recorded."""
    if attribute == "phone_number":
        digits = str(int(hashlib.sha256(username.encode()).hexdigest(), 16))[-4:]
        return delivery_details("phone_number", "+1555555" + digits)
    email = username if "@" in username else f"{username}@example.com"
    return delivery_details("email", email)


def send(pool_id: str, user, kind: str, purpose: str, attribute: str, lifetime: int | None = None) -> dict:
    """Make a fresh code for `purpose`, record it in the outbox, return CodeDeliveryDetails."""
    digits = DIGITS.get(kind, 6)
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    destination = user.attribute_lookup.get(attribute, "")
    details = delivery_details(attribute, destination)
    _codes[(pool_id, user.id, purpose)] = _Code(code, time.time() + (lifetime or LIFETIME_SECONDS[kind]))
    OUTBOX.append(
        {
            "userPoolId": pool_id,
            "username": user.username,
            "kind": kind,
            "code": code,
            "destination": destination,
            "deliveryMedium": details["DeliveryMedium"],
            "attributeName": attribute,
            "sentAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        }
    )
    return details


def check(pool_id: str, user, purpose: str, code: str | None) -> str:
    """'ok', 'mismatch' (wrong or no outstanding code) or 'expired'. A wrong code keeps the
    outstanding one usable; a right one is used up."""
    key = (pool_id, user.id, purpose)
    entry = _codes.get(key)
    # compare_digest refuses non-ASCII str: compare bytes, so any code a caller sends is just wrong.
    if entry is None or not code or not secrets.compare_digest(entry.code.encode(), str(code).encode()):
        return "mismatch"
    if time.time() >= entry.expires_at:
        return "expired"
    del _codes[key]
    return "ok"


def expire_user_codes(pool_id: str, user_sub: str) -> int:
    """Expire every outstanding code of a user (for tests of the expired-code path)."""
    keys = [k for k in _codes if k[:2] == (pool_id, user_sub)]
    for key in keys:
        _codes[key].expires_at = 0
    return len(keys)


def forget_user(pool_id: str, user_sub: str) -> None:
    for key in [k for k in _codes if k[:2] == (pool_id, user_sub)]:
        del _codes[key]


def messages(pool_id: str | None, username: str | None) -> list[dict]:
    return [
        m
        for m in OUTBOX
        if (pool_id is None or m["userPoolId"] == pool_id) and (username is None or m["username"] == username)
    ]
