"""The temporary lockout after failed sign-in codes, as AWS documents it.

AWS developer guide, "Adding MFA to a user pool": "After five unsuccessful attempts to present an MFA
code, Amazon Cognito begins the exponential-timeout lockout process described at Lockout behavior for
failed sign-in attempts." That section ("Authentication with Amazon Cognito user pools"): after five
failures the user is locked out for one second, doubling after each further failure up to about 15
minutes (2^(n-5) s); "Attempts made during a lockout period generate a Password attempts exceeded
exception, and don't affect the duration of subsequent lockout periods"; n goes back to 0 after a
successful sign-in, or after 15 consecutive minutes without sign-in attempts.

The emulator counts failed *codes* only (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SMS_OTP); wrong
passwords are not counted (see README), but a locked-out user is refused on every sign-in path.
A wrong code does not end the challenge session: a third party saw no in-session attempt limit on a
real pool after six wrong EMAIL_OTP codes (2026-09), and AWS documents none. Unverified beyond that.
State is guarded by the server's request lock, like moto's.
"""

import time
from dataclasses import dataclass

from .errors import NotAuthorizedException

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 15 * 60
QUIET_RESET_SECONDS = 15 * 60
LOCKED_OUT = "Password attempts exceeded"


@dataclass
class _State:
    failures: int = 0
    locked_until: float = 0.0
    last_attempt: float = 0.0


_state: dict[tuple[str, str], _State] = {}


def check(pool_id: str, user) -> None:
    """Before a sign-in attempt: NotAuthorizedException while the user is locked out."""
    key, now = (pool_id, user.id), time.time()
    state = _state.get(key)
    if state is None:
        return
    if now - state.last_attempt >= QUIET_RESET_SECONDS:
        del _state[key]
        return
    state.last_attempt = now
    if now < state.locked_until:
        raise NotAuthorizedException(LOCKED_OUT)


def failed(pool_id: str, user) -> None:
    state = _state.setdefault((pool_id, user.id), _State())
    now = time.time()
    state.failures += 1
    state.last_attempt = now
    if state.failures >= FREE_FAILURES:
        state.locked_until = now + min(2 ** (state.failures - FREE_FAILURES), MAX_LOCK_SECONDS)


def succeeded(pool_id: str, user_sub: str) -> None:
    _state.pop((pool_id, user_sub), None)
