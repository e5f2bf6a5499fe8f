"""The server side of Cognito's SRP (USER_SRP_AUTH / PASSWORD_VERIFIER), so that an SRP login with a
wrong password fails here as it does on AWS (moto sends random SALT/SRP_B and accepts any proof).

Cognito's variant of SRP-6a over the RFC 5054 3072-bit group: x = H(salt | H(poolName | userId | ":" |
password)), the session key is HKDF(S, u, "Caldera Derived Key") cut to 16 bytes, and the client proves
it with HMAC(key, poolName | userId | secretBlock | timestamp). Written from that description, not from
the client crate the API uses, so the two check each other."""

import base64
import hashlib
import hmac
import secrets

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2


def _pad_hex(value: int) -> str:
    """Cognito's padding: an even number of hex digits, and a leading 00 when the top bit is set."""
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    elif text[0] in "89abcdef":
        text = "00" + text
    return text


def _hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(_hash_hex(_pad_hex(N) + _pad_hex(G)), 16)


def _hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


def start(pool_id: str, user_id: str, password: str, srp_a: str) -> tuple[dict, bytes]:
    """The PASSWORD_VERIFIER parameters (SALT, SRP_B) for the client's SRP_A, and the session key the
    client must prove it knows."""
    a_public = int(srp_a, 16)
    if a_public % N == 0:
        raise ValueError("SRP_A is invalid")
    pool_name = pool_id.split("_", 1)[1]
    salt = secrets.randbits(128) | (1 << 127)
    identity = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(_hash_hex(_pad_hex(salt) + identity), 16)
    verifier = pow(G, x, N)
    b = secrets.randbits(1024)
    b_public = (K * verifier + pow(G, b, N)) % N
    u = int(_hash_hex(_pad_hex(a_public) + _pad_hex(b_public)), 16)
    shared = pow(a_public * pow(verifier, u, N), b, N)
    key = _hkdf(bytes.fromhex(_pad_hex(shared)), bytes.fromhex(_pad_hex(u)))
    return {"SALT": format(salt, "x"), "SRP_B": format(b_public, "x")}, key


def proof_matches(key: bytes, pool_id: str, user_id: str, secret_block: str, timestamp: str, signature: str) -> bool:
    pool_name = pool_id.split("_", 1)[1]
    try:
        message = pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    except ValueError:
        return False
    expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature or "")
