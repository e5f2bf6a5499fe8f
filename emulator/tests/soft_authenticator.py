"""A software WebAuthn authenticator for the tests: builds RegistrationResponseJSON and
AuthenticationResponseJSON as a browser would, with real keys (cryptography) and CBOR (cbor2)."""

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    def __init__(self, alg: int = -7, user_verifying: bool = True, attachment: str | None = "platform"):
        self.alg = alg
        self.user_verifying = user_verifying
        self.attachment = attachment
        self.credential_id = os.urandom(32)
        self.key = ec.generate_private_key(ec.SECP256R1()) if alg == -7 else rsa.generate_private_key(65537, 2048)
        self.counter = 0
        self.user_handle: bytes | None = None

    def cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        if self.alg == -7:
            return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        return cbor2.dumps({1: 3, 3: self.alg, -1: n, -2: numbers.e.to_bytes(3, "big")})

    def sign(self, data: bytes) -> bytes:
        if self.alg == -7:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def _flags(self, uv: bool | None) -> int:
        return UP | (UV if (self.user_verifying if uv is None else uv) else 0)

    def create(self, options: dict, origin: str, rp_id: str | None = None, uv: bool | None = None, fmt: str = "none",
               challenge: str | None = None, transports=("internal", "hybrid")) -> dict:
        """navigator.credentials.create() on CredentialCreationOptions (the JSON object), serialised."""
        rp_id = rp_id or options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        client_data = json.dumps(
            {"type": "webauthn.create", "challenge": challenge or options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self.cose_key()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags(uv) | AT]) + struct.pack(">I", self.counter) + attested
        statement = {}
        if fmt == "packed":  # self attestation
            statement = {"alg": self.alg, "sig": self.sign(auth_data + hashlib.sha256(client_data).digest())}
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        body = {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": list(transports),
            },
        }
        if self.attachment:
            body["authenticatorAttachment"] = self.attachment
        return body

    def get(self, options_json: str, origin: str, rp_id: str | None = None, uv: bool | None = None,
            bump: int = 1, forge: bool = False) -> str:
        """navigator.credentials.get() on CREDENTIAL_REQUEST_OPTIONS (a JSON string); returns the
        AuthenticationResponseJSON as a string, as RespondToAuthChallenge's CREDENTIAL wants it."""
        options = json.loads(options_json)
        rp_id = rp_id or options["rpId"]
        self.counter += bump
        client_data = json.dumps({"type": "webauthn.get", "challenge": options["challenge"], "origin": origin}).encode()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags(uv)]) + struct.pack(">I", self.counter)
        signature = self.sign(auth_data + hashlib.sha256(client_data).digest())
        if forge:
            signature = Authenticator(self.alg).sign(auth_data + hashlib.sha256(client_data).digest())
        body = {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(self.user_handle or b""),
            },
        }
        if self.attachment:
            body["authenticatorAttachment"] = self.attachment
        return json.dumps(body)
