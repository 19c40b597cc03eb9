"""Flask's signed-cookie sessions, the same cookies, with less work per request.

Flask builds a new itsdangerous serializer for every request, twice when the session changes
(to read the cookie and to write it), and each build tests its JSON serializer with a dump;
then every signature and every check derives the signing key from the secret with an HMAC of
its own. None of that changes between requests while the secret keys stay the same: here the
serializer is kept per set of secret keys, and the derived keys per signer.

And every cookie written is first tried zlib-compressed, which for the hundred-odd bytes of a
session (a CSRF token, a vote's receipt) saves a few bytes at best and costs about 8
microseconds in a worker (zlib sets up its 256 KB of buffers each time; 60 in a process whose
allocator has not yet taken to reusing such blocks). Sessions under ``COMPRESS_FROM`` bytes of
JSON are written plain. Together these took a vote's web side (all but its statement, in
process) from 0.58-0.62 ms to 0.53 ms. Either way the cookie's format, salt, key derivation
and digest are Flask's own, and each side reads the other's.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Serializer, Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

# Shorter JSON goes into the cookie as it is (base64); longer may be compressed, as by Flask.
COMPRESS_FROM = 512


class _KeyKeepingSigner(TimestampSigner):
    """A TimestampSigner that derives each secret's key once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[str | bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        derived = self._derived.get(secret_key)
        if derived is None:
            derived = self._derived[secret_key] = super().derive_key(secret_key)
        return derived


class _SignerKeepingSerializer(URLSafeTimedSerializer):
    """Keeps its signer per salt (itsdangerous makes one per dump and per load; a signer holds
    nothing but its settings and, here, its derived keys), and compresses only what is long."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Signer] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj: Any) -> bytes:
        json = Serializer.dump_payload(self, obj)
        if len(json) < COMPRESS_FROM:
            return base64_encode(json)
        return super().dump_payload(obj)


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        # As Flask orders them: the fallbacks first, the current key last (it signs).
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = _SignerKeepingSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer=_KeyKeepingSigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return serializer
