"""Passkeys (WebAuthn): the pool's WebAuthnConfiguration, StartWebAuthnRegistration /
CompleteWebAuthnRegistration / ListWebAuthnCredentials / DeleteWebAuthnCredential, and the WEB_AUTHN
sign-in challenge (USER_AUTH). moto 5.2.5 has none of it; attestations and assertions are verified for
real with py_webauthn (duo-labs, `webauthn` on PyPI).

Sources (AWS API reference and the botocore model unless said otherwise):
- WebAuthnConfigurationType {RelyingPartyId (1-127 chars), UserVerification (required | preferred),
  FactorConfiguration}: set with SetUserPoolMfaConfig, shown by GetUserPoolMfaConfig. CloudFormation
  spells them WebAuthnRelyingPartyID / WebAuthnUserVerification on AWS::Cognito::UserPool.
- WebAuthnNotEnabledException: "the passkey feature isn't enabled for the user pool" (we read that as
  WEB_AUTHN missing from Policies.SignInPolicy.AllowedFirstAuthFactors - unverified);
  WebAuthnConfigurationMissingException: "a user pool doesn't have a configured relying party id or a
  user pool domain"; WebAuthnChallengeNotFoundException: "the challenge from StartWebAuthn registration
  has expired"; WebAuthnClientMismatchException: "the access token is for a different client than the
  one in the original StartWebAuthnRegistration request"; WebAuthnOriginNotAllowedException: "the
  passkey credential's registration origin does not align with the user pool relying party id";
  WebAuthnRelyingPartyMismatchException: "the given passkey credential is associated with a different
  relying party ID than the user pool relying party ID"; WebAuthnCredentialNotSupportedException: "a
  user presents passkey credentials from an unsupported device or provider".
- StartWebAuthnRegistration answers CredentialCreationOptions as a JSON document; its shape follows
  Amplify's fixture (aws-amplify/amplify-js packages/auth __tests__/mockData.ts, which looks captured
  from Cognito - unverified): rp {id, name = the RP id}, user {id = base64url of the sub *string*, name =
  username, displayName ""}, a 16-byte challenge, pubKeyCredParams ES256 (-7) and RS256 (-257),
  timeout 60000, excludeCredentials = the user's passkeys, authenticatorSelection {requireResidentKey:
  true, residentKey: "required", userVerification: <pool>}.
- The WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS is a JSON string (Amplify JSON.parses it,
  handleWebAuthnSignInResult.ts); the fixture `passkeyCredentialRequestOptions` has hints [],
  attestation "none", attestationFormats [], challenge, timeout 180000, rpId, allowCredentials (the
  user's credentials), userVerification.
- Passkey sign-in is one factor: WebAuthnMfaSettingsType "passkey MFA applies only when passkey is the
  first authentication factor", and without passkey MFA (not modelled) no MFA follows a passkey.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from moto.cognitoidp.models import UserStatus
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import parse_attestation_object
from webauthn.helpers.exceptions import WebAuthnException

from . import REGION, poolconfig
from .errors import (
    CognitoError,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
    ResourceNotFoundException,
    WRONG_CREDENTIALS,
)
from .lookup import all_backends, claims, user_for_access_token


class WebAuthnNotEnabledException(CognitoError):
    pass


class WebAuthnConfigurationMissingException(CognitoError):
    pass


class WebAuthnChallengeNotFoundException(CognitoError):
    pass


class WebAuthnClientMismatchException(CognitoError):
    pass


class WebAuthnOriginNotAllowedException(CognitoError):
    pass


class WebAuthnRelyingPartyMismatchException(CognitoError):
    pass


class WebAuthnCredentialNotSupportedException(CognitoError):
    pass


# Passkeys one user may register. AWS documents LimitExceededException for StartWebAuthnRegistration but
# no number; 20 matches ListWebAuthnCredentials' MaxResults ceiling. Unverified.
MAX_PASSKEYS_PER_USER = 20
# How long a registration challenge lives. AWS does not say; the options' timeout is 60 s, and 3 minutes
# (the default AuthSessionValidity) leaves the browser its full timeout. Unverified.
REGISTRATION_CHALLENGE_SECONDS = 180
REGISTRATION_TIMEOUT_MS = 60000  # Amplify fixture
AUTHENTICATION_TIMEOUT_MS = 180000  # Amplify fixture (= the 3-minute USER_AUTH session)
# COSE algorithms offered (Amplify fixture): ES256, RS256. py_webauthn's ids are the same integers.
ALGORITHMS = [-7, -257]
# The WebAuthnConfigurationType default of UserVerification is not documented; "preferred" is the
# WebAuthn default and what the console shows for a new pool. Unverified.
DEFAULT_USER_VERIFICATION = "preferred"
USER_VERIFICATION = ("required", "preferred")
FACTOR_CONFIGURATIONS = ("SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- pool configuration ---


def config(pool) -> dict | None:
    """The pool's WebAuthnConfiguration as AWS echoes it, or None when never set."""
    return getattr(pool, "webauthn_config", None)


def set_config(pool, value: dict | None, origins: list[str] | None = None) -> None:
    """SetUserPoolMfaConfig WebAuthnConfiguration. `origins` is the emulator's own per-pool list of
    allowed origins (test route only; AWS has no such setting, see allowed_origin)."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise InvalidParameterException("WebAuthnConfiguration must be an object.")
    rp_id = value.get("RelyingPartyId")
    if rp_id is not None and (not isinstance(rp_id, str) or not 1 <= len(rp_id) <= 127):
        raise InvalidParameterException("RelyingPartyId must be 1 to 127 characters.")
    uv = value.get("UserVerification", DEFAULT_USER_VERIFICATION)
    if uv not in USER_VERIFICATION:
        raise InvalidParameterException(f"Invalid UserVerification: {uv}")
    factor = value.get("FactorConfiguration")
    if factor is not None:
        if factor not in FACTOR_CONFIGURATIONS:
            raise InvalidParameterException(f"Invalid FactorConfiguration: {factor}")
        poolconfig.require_essentials(pool, "Passkey MFA")
    stored = {"UserVerification": uv}
    if rp_id is not None:
        stored["RelyingPartyId"] = rp_id
    if factor is not None:
        stored["FactorConfiguration"] = factor
    pool.webauthn_config = stored
    if origins is not None:
        pool.webauthn_origins = list(origins)


def _pool_domain(pool) -> str | None:
    """The FQDN of the pool's domain: a custom domain as is, a prefix domain as
    <prefix>.auth.<region>.amazoncognito.com (AWS developer guide, "Using the Amazon Cognito prefix domain")."""
    for backend in all_backends():
        for domain in backend.user_pool_domains.values():
            if domain.user_pool_id == pool.id:
                if domain.custom_domain_config:
                    return domain.domain
                return f"{domain.domain}.auth.{REGION}.amazoncognito.com"
    return None


def relying_party(pool) -> tuple[str, str]:
    """(RP id, user verification) for the pool, or the exceptions AWS names for a pool without passkeys."""
    if "WEB_AUTHN" not in poolconfig.first_factors(pool) or poolconfig.tier(pool) == "LITE":
        raise WebAuthnNotEnabledException("WebAuthn is not enabled for this user pool.")  # wording unverified
    settings = config(pool) or {}
    rp_id = settings.get("RelyingPartyId") or _pool_domain(pool)
    if not rp_id:
        raise WebAuthnConfigurationMissingException(
            "The user pool has no WebAuthn relying party id and no domain."  # wording unverified
        )
    return rp_id, settings.get("UserVerification", DEFAULT_USER_VERIFICATION)


def allowed_origin(pool, rp_id: str, origin: str) -> bool:
    """Whether a clientDataJSON origin is accepted.

    AWS says only that the origin must "align with the user pool relying party id"
    (WebAuthnOriginNotAllowedException). We apply the WebAuthn rule browsers enforce (W3C WebAuthn,
    "Validating the origin of a credential": the origin's host is the RP id or a subdomain of it):
    https://<rpid>[:port] and https://<sub>.<rpid>[:port]; for the RP id `localhost` also
    http://localhost[:port], since browsers treat localhost as a secure context. That AWS accepts
    subdomains and localhost over http is unverified. A pool created with explicit `origins` (the
    emulator's test route) accepts exactly those instead.
    """
    explicit = getattr(pool, "webauthn_origins", None)
    if explicit:
        return origin in explicit
    try:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        _ = parts.port  # a malformed port raises
    except ValueError:
        return False
    if origin != f"{parts.scheme}://{parts.netloc}" or not host:
        return False
    if rp_id == "localhost" and host == "localhost":
        return parts.scheme in ("http", "https")
    return parts.scheme == "https" and (host == rp_id or host.endswith("." + rp_id))


# --- credentials, kept on moto's user object (they go when the user goes) ---


@dataclass
class Credential:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    rp_id: str
    transports: list[str]
    attachment: str | None
    created_at: float
    friendly_name: str

    def descriptor(self) -> dict:
        body = {"type": "public-key", "id": b64url(self.credential_id)}
        if self.transports:
            body["transports"] = list(self.transports)
        return body

    def description(self) -> dict:
        body = {
            "CredentialId": b64url(self.credential_id),
            "FriendlyCredentialName": self.friendly_name,
            "RelyingPartyId": self.rp_id,
            "AuthenticatorTransports": list(self.transports),
            "CreatedAt": self.created_at,
        }
        if self.attachment:
            body["AuthenticatorAttachment"] = self.attachment
        return body


def credentials(user) -> list[Credential]:
    if not hasattr(user, "webauthn_credentials"):
        user.webauthn_credentials = []
    return user.webauthn_credentials


def has_passkey(user) -> bool:
    return bool(getattr(user, "webauthn_credentials", None))


def usable(pool, user) -> bool:
    """Whether USER_AUTH offers WEB_AUTHN to this user: the pool allows it and has a relying party, the
    user has a passkey for that relying party, and MFA is not required (WebAuthnMfaSettingsType: only
    with passkey MFA - not modelled - is "passkey sign-in ... available when MFA is required").
    The status rule is the one used for the code factors (userauth.otp_usable). Unverified in detail."""
    try:
        rp_id, _ = relying_party(pool)
    except CognitoError:
        return False
    return (
        pool.mfa_config != "ON"
        and user.status in (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED)
        and any(c.rp_id == rp_id for c in credentials(user))
    )


# --- registration ---


@dataclass
class _Registration:
    challenge: bytes
    client_id: str
    rp_id: str
    user_verification: str
    expires_at: float


# (pool id, user sub) -> the outstanding registration challenge; a new Start replaces it (unverified).
_registrations: dict[tuple[str, str], _Registration] = {}


def expire_registration(pool_id: str, user_sub: str) -> int:
    """Expire the user's outstanding registration challenge (POST /_emulator/expire-codes)."""
    pending = _registrations.get((pool_id, user_sub))
    if pending is None:
        return 0
    pending.expires_at = 0
    return 1


def _token_client(token: str | None) -> str | None:
    return claims(token or "").get("client_id")


def start_registration(resp) -> dict:
    token = resp._get_param("AccessToken")
    _, pool, user = user_for_access_token(token)
    rp_id, uv = relying_party(pool)
    owned = credentials(user)
    if len(owned) >= MAX_PASSKEYS_PER_USER:
        raise LimitExceededException("The user has registered the maximum number of passkeys.")  # wording unverified
    challenge = secrets.token_bytes(16)
    _registrations[(pool.id, user.id)] = _Registration(
        challenge, _token_client(token), rp_id, uv, time.time() + REGISTRATION_CHALLENGE_SECONDS
    )
    options = {
        "rp": {"id": rp_id, "name": rp_id},
        "user": {"id": b64url(user.id.encode()), "name": user.username, "displayName": ""},
        "challenge": b64url(challenge),
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in ALGORITHMS],
        "timeout": REGISTRATION_TIMEOUT_MS,
        "excludeCredentials": [c.descriptor() for c in owned],
        "authenticatorSelection": {"requireResidentKey": True, "residentKey": "required", "userVerification": uv},
    }
    return {"CredentialCreationOptions": options}


def _client_data(response: dict) -> dict:
    try:
        data = json.loads(unb64url(response["clientDataJSON"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidParameterException("Credential.response.clientDataJSON is malformed.") from None
    if not isinstance(data, dict):
        raise InvalidParameterException("Credential.response.clientDataJSON is malformed.")
    return data


def complete_registration(resp) -> dict:
    token = resp._get_param("AccessToken")
    _, pool, user = user_for_access_token(token)
    credential = resp._get_param("Credential")
    if not isinstance(credential, dict) or not isinstance(credential.get("response"), dict):
        raise InvalidParameterException("Credential must be a RegistrationResponseJSON object.")
    relying_party(pool)  # WebAuthnNotEnabled / ConfigurationMissing first, as for Start
    key = (pool.id, user.id)
    pending = _registrations.get(key)
    if pending is None or time.time() >= pending.expires_at:
        _registrations.pop(key, None)
        raise WebAuthnChallengeNotFoundException("The WebAuthn registration challenge was not found or has expired.")
    if pending.client_id != _token_client(token):
        raise WebAuthnClientMismatchException(
            "The access token is for a different client than the one that started the registration."
        )
    response = credential["response"]
    client_data = _client_data(response)
    try:
        given_challenge = unb64url(client_data.get("challenge"))
    except (TypeError, ValueError):
        given_challenge = b""
    if client_data.get("type") != "webauthn.create":
        raise InvalidParameterException("The credential is not a registration (clientDataJSON.type).")
    if not hmac.compare_digest(given_challenge, pending.challenge):
        raise WebAuthnChallengeNotFoundException("The WebAuthn registration challenge was not found or has expired.")
    # From here the challenge is spent, whatever the outcome (a WebAuthn challenge is single use).
    del _registrations[key]
    origin = client_data.get("origin")
    if not isinstance(origin, str) or not allowed_origin(pool, pending.rp_id, origin):
        raise WebAuthnOriginNotAllowedException(f"The origin {origin} is not allowed for this user pool.")
    try:
        attestation = parse_attestation_object(unb64url(response.get("attestationObject")))
    except (TypeError, ValueError, WebAuthnException, Exception):  # noqa: BLE001 - CBOR errors vary
        raise InvalidParameterException("Credential.response.attestationObject is malformed.") from None
    if attestation.auth_data.rp_id_hash != hashlib.sha256(pending.rp_id.encode()).digest():
        raise WebAuthnRelyingPartyMismatchException("The credential was created for another relying party.")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=pending.challenge,
            expected_rp_id=pending.rp_id,
            expected_origin=origin,
            require_user_verification=pending.user_verification == "required",
            supported_pub_key_algs=ALGORITHMS,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        # User verification missing where required, an algorithm other than ES256/RS256, an attestation
        # format or statement that does not verify. Which exception AWS gives for each is unverified.
        raise WebAuthnCredentialNotSupportedException(f"The passkey credential is not supported: {error}") from None
    owned = credentials(user)
    if any(c.credential_id == verified.credential_id for c in owned):
        raise InvalidParameterException("This passkey is already registered.")  # AWS's answer unverified
    if len(owned) >= MAX_PASSKEYS_PER_USER:
        raise LimitExceededException("The user has registered the maximum number of passkeys.")
    transports = response.get("transports") or []
    attachment = credential.get("authenticatorAttachment")
    now = time.time()
    owned.append(
        Credential(
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            rp_id=pending.rp_id,
            transports=[t for t in transports if isinstance(t, str)],
            attachment=attachment if isinstance(attachment, str) else None,
            created_at=now,
            # "An automatically-generated friendly name"; AWS's naming scheme is unverified.
            friendly_name=f"Passkey {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now))}",
        )
    )
    return {}


def list_credentials(resp) -> dict:
    _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    limit = resp._get_param("MaxResults")
    if limit is not None and (not isinstance(limit, int) or not 0 <= limit <= 20):
        raise InvalidParameterException("MaxResults must be between 0 and 20.")
    # AWS's page size without MaxResults is unverified; we use the maximum. MaxResults 0 is valid in the
    # model; we treat it like absent (AWS's answer unverified) so a page never comes back empty with more to come.
    size = limit or 20
    owned = credentials(user)
    start = 0
    next_token = resp._get_param("NextToken")
    if next_token is not None:
        start = _page_start(user, next_token)
    page = owned[start : start + size]
    result = {"Credentials": [c.description() for c in page]}
    if start + size < len(owned):
        result["NextToken"] = _page_token(user, start + size)
    return result


def _page_token(user, start: int) -> str:
    body = f"{user.id}:{start}".encode()
    return b64url(body + hmac.new(_PAGE_KEY, body, hashlib.sha256).digest()[:16])


def _page_start(user, token: str) -> int:
    try:
        raw = unb64url(token)
        body, mac = raw[:-16], raw[-16:]
        sub, start = body.decode().rsplit(":", 1)
        ok = hmac.compare_digest(mac, hmac.new(_PAGE_KEY, body, hashlib.sha256).digest()[:16]) and sub == user.id
        if ok:
            return int(start)
    except ValueError:
        pass
    raise InvalidParameterException("Invalid NextToken.")  # wording unverified


_PAGE_KEY = secrets.token_bytes(32)


def delete_credential(resp) -> dict:
    _, _, user = user_for_access_token(resp._get_param("AccessToken"))
    given = resp._get_param("CredentialId")
    if not given:
        raise InvalidParameterException("Missing required parameter CredentialId")
    owned = credentials(user)
    for credential in owned:
        if b64url(credential.credential_id) == given:
            owned.remove(credential)
            return {}
    raise ResourceNotFoundException("Credential not found.")  # wording unverified


# --- sign-in: the WEB_AUTHN challenge ---


def request_options(pool, user) -> tuple[dict, bytes]:
    """CREDENTIAL_REQUEST_OPTIONS (as a dict; the caller serialises it) and its fresh challenge."""
    rp_id, uv = relying_party(pool)
    challenge = secrets.token_bytes(16)
    allowed = [c.descriptor() for c in credentials(user) if c.rp_id == rp_id]
    return _options(challenge, rp_id, allowed, uv), challenge


def simulated_request_options(pool, username: str) -> dict:
    """An unknown user's options (PreventUserExistenceErrors): one made-up credential, stable per
    username so a repeated request does not tell a real user from an invented one."""
    settings = config(pool) or {}
    rp_id = settings.get("RelyingPartyId") or _pool_domain(pool) or "localhost"
    uv = settings.get("UserVerification", DEFAULT_USER_VERIFICATION)
    fake_id = hmac.new(_SIMULATION_KEY, f"{pool.id}:{username}".encode(), hashlib.sha256).digest()
    return _options(secrets.token_bytes(16), rp_id, [{"type": "public-key", "id": b64url(fake_id)}], uv)


_SIMULATION_KEY = secrets.token_bytes(32)


def _options(challenge: bytes, rp_id: str, allowed: list[dict], uv: str) -> dict:
    return {
        "hints": [],
        "attestation": "none",
        "attestationFormats": [],
        "challenge": b64url(challenge),
        "timeout": AUTHENTICATION_TIMEOUT_MS,
        "rpId": rp_id,
        "allowCredentials": allowed,
        "userVerification": uv,
    }


def compact(options: dict) -> str:
    return json.dumps(options, separators=(",", ":"))


def verify_assertion(pool, user, challenge: bytes, rp_id: str, uv: str, answer) -> None:
    """RespondToAuthChallenge WEB_AUTHN CREDENTIAL (AuthenticationResponseJSON as a string): signature,
    challenge, origin, RP id, user presence (and verification when required), and the signature counter.

    Every failure is NotAuthorizedException "Incorrect username or password." - the wording AWS uses
    for a wrong first factor elsewhere; AWS's message for a bad passkey assertion is unverified.
    A counter that does not increase (when either the stored or the new one is non-zero) fails, as
    py_webauthn and the WebAuthn spec's clone detection ("Verifying an Authentication Assertion", step
    22) have it; whether AWS enforces the counter is unverified."""
    try:
        body = json.loads(answer) if isinstance(answer, str) else None
        if not isinstance(body, dict):
            raise ValueError("CREDENTIAL is not a JSON object")
        raw_id = unb64url(body.get("rawId") or body.get("id"))
        stored = next(c for c in credentials(user) if c.credential_id == raw_id and c.rp_id == rp_id)
        client_data = _client_data(body.get("response") or {})
        origin = client_data.get("origin")
        if not isinstance(origin, str) or not allowed_origin(pool, rp_id, origin):
            raise ValueError("origin not allowed")
        verified = verify_authentication_response(
            credential=body,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
            require_user_verification=uv == "required",
        )
    except (StopIteration, ValueError, TypeError, KeyError, WebAuthnException, CognitoError):
        raise NotAuthorizedException(WRONG_CREDENTIALS) from None
    stored.sign_count = verified.new_sign_count
