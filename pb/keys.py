"""The vote key, apart from Flask's ``SECRET_KEY``.

``SECRET_KEY`` signs what the browser holds (the session, form tokens, the remember cookie);
``VOTE_KEY`` keys the digests of what the database keeps of voting codes, receipts and password
reset codes, so the database alone does not let anyone test guesses offline, and a key derived
from it encrypts the voters' details on ballots while voting is open. Each is rotated on
its own, and each keeps its older keys in a list of fallbacks that are still accepted
(``SECRET_KEY_FALLBACKS``, Flask's; ``VOTE_KEY_FALLBACKS``, ours): a slip printed or a receipt
given under an older vote key still works. Digests are made with the current key only, and the
older keys are tried only when the current key's digest finds nothing, so a valid code costs one
digest and one lookup whatever the number of fallbacks.

Every host of one site must hold the same keys, or one host rejects the codes another printed,
and counts them as guesses. The database keeps a fingerprint of the current vote key (an HMAC of
a constant under it, which tells nothing of the key): the first host to check writes it; a host
that holds the stored key among its fallbacks has had its key rotated, and moves the fingerprint
to its own current key; a host whose keys do not give the fingerprint is not ready (``/ready``
answers 503 "keys"), logs an error, and refuses votes and receipt checks with a 503 before
anything is looked up, so none of its refusals counts against a voter.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pb.extensions import db
from pb.models.base import utcnow
from pb.models.keys import KeyFingerprint

logger = logging.getLogger(__name__)

# The row of the vote key in ``key_fingerprints``, and what its fingerprint is an HMAC of.
_NAME = "vote"
_FINGERPRINT_OF = b"pb: fingerprint of the vote key"
# app.extensions: True once this host found its keys to be the site's (see ``keys_shared``).
_SHARED = "pb.vote_key_shared"


class KeysNotShared(Exception):
    """This host's vote key is not the site's: shown as a 503 page."""


def configure(app: Flask) -> None:
    """Check and complete the keys' configuration; called by ``create_app`` once
    ``SECRET_KEY`` is known."""
    config = app.config
    config["SECRET_KEY_FALLBACKS"] = _key_list(config.get("SECRET_KEY_FALLBACKS"))
    config["VOTE_KEY_FALLBACKS"] = _key_list(config.get("VOTE_KEY_FALLBACKS"))
    if not config.get("VOTE_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError(
                "VOTE_KEY is not set: put it in the environment (PB_VOTE_KEY) or in "
                "instance/config.py. A site that has printed slips or given receipts already "
                "must set it to the SECRET_KEY they were made with (README.md, Keys)."
            )
        # Development and tests: a key of its own, yet stable while SECRET_KEY is, so the
        # development database's slips keep working across restarts.
        config["VOTE_KEY"] = _hmac(config["SECRET_KEY"], b"pb: development vote key")
    if config["SECRET_KEY_FALLBACKS"] and not config.get("WTF_CSRF_SECRET_KEY"):
        # Flask-WTF signs and checks form tokens with one key and knows nothing of Flask's
        # fallbacks; itsdangerous, which it signs with, takes a list of keys, oldest first,
        # signing with the last. So a form left open across a rotation still submits.
        config["WTF_CSRF_SECRET_KEY"] = [*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"]]

    @app.errorhandler(KeysNotShared)
    def keys_not_shared(error: KeysNotShared) -> tuple[str, int, dict[str, str]]:
        page = render_template(
            "errors/error.html",
            code=503,
            title=_l("Temporarily unavailable"),
            text=_l(
                "This server cannot check voting codes and receipts just now. Nothing was "
                "saved and your code was not used. Wait a few minutes and try again."
            ),
        )
        return page, 503, {"Retry-After": "60"}


def _key_list(value: Any) -> list[str | bytes]:
    # PB_..._FALLBACKS='["old key"]' in the environment is read as JSON; one key alone is a
    # plain string, which must not be taken for a list of its characters.
    if not value:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    return list(value)


def _hmac(key: str | bytes, message: bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, message, hashlib.sha256).hexdigest()


def _current() -> str | bytes:
    key: str | bytes = current_app.config["VOTE_KEY"]
    return key


def _fallbacks() -> list[str | bytes]:
    fallbacks: list[str | bytes] = current_app.config["VOTE_KEY_FALLBACKS"]
    return fallbacks


def digest(kind: str, value: str) -> str:
    """A digest of ``value`` under the current vote key; ``kind`` ("code", "receipt"...)
    keeps a code from ever matching a receipt."""
    return _hmac(_current(), f"{kind}:{value}".encode())


def older_digests(kind: str, value: str) -> list[str]:
    """The digests of ``value`` under the older vote keys still accepted, newest first: to be
    tried only when ``digest`` finds nothing."""
    message = f"{kind}:{value}".encode()
    current = digest(kind, value)
    found: list[str] = []
    for key in _fallbacks():
        older = _hmac(key, message)
        if older != current and older not in found:
            found.append(older)
    return found


def digests(kind: str, value: str) -> list[str]:
    """The digests of ``value`` under every vote key accepted, the current key's first."""
    return [digest(kind, value), *older_digests(kind, value)]


def fingerprint(key: str | bytes) -> str:
    """What identifies a key without telling anything of it."""
    return _hmac(key, _FINGERPRINT_OF)


def keys_shared(fresh: bool = False) -> bool:
    """Whether this host's vote keys are the site's (see the module's doc). Once they were
    found to be, that is remembered, and asked again only when ``fresh`` (the readiness probe,
    a code not found); a host found not to share them asks every time, so it recovers as soon
    as the site's keys are its own. Runs on the session, and may commit it: call it before
    the request changes anything."""
    if not fresh and current_app.extensions.get(_SHARED):
        return True
    shared = _check_fingerprint()
    current_app.extensions[_SHARED] = shared
    return shared


def refuse_unless_shared(fresh: bool = False) -> None:
    """Raise ``KeysNotShared`` unless this host's vote keys are the site's."""
    if not keys_shared(fresh):
        raise KeysNotShared()


def _check_fingerprint() -> bool:
    mine = fingerprint(_current())
    stored = _stored()
    if stored is None:
        # The first host to check: its key is the site's.
        db.session.add(KeyFingerprint(name=_NAME, fingerprint=mine))
        try:
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()  # another host wrote it first: compare with what it wrote
            stored = _stored()
    if stored == mine:
        return True
    if stored in {fingerprint(key) for key in _fallbacks()}:
        # This host's vote key was rotated and the stored one is among its fallbacks: the
        # site's key is now its current one. Hosts still on the old key alone stop being
        # ready, rather than reject the codes printed under the new one.
        db.session.execute(
            update(KeyFingerprint)
            .where(KeyFingerprint.name == _NAME, KeyFingerprint.fingerprint == stored)
            .values(fingerprint=mine, updated_at=utcnow())
        )
        db.session.commit()
        logger.warning(
            "The vote key was rotated: hosts without the new VOTE_KEY are no longer ready"
        )
        return True
    logger.error(
        "This host's VOTE_KEY (and VOTE_KEY_FALLBACKS) is not the one the site's database "
        "was set up with (fingerprint %s here, %s stored): it refuses votes and receipt "
        "checks until it has the keys the other hosts have (README.md, Keys)",
        mine[:12],
        (stored or "")[:12],
    )
    return False


def _stored() -> str | None:
    return db.session.scalar(select(KeyFingerprint.fingerprint).where(KeyFingerprint.name == _NAME))


_DETAILS_LABEL = b"pb: ballot details"


@functools.lru_cache(maxsize=16)
def _derived(key: str | bytes, label: bytes) -> bytes:
    # Kept: the same keys give the same key on every vote, and deriving it again each time
    # would cost every vote a KDF run.
    raw = key.encode() if isinstance(key, str) else key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(raw)


def details_key() -> bytes:
    """The 32-byte key that encrypts voters' details on ballots while voting is open
    (``pb.voting.details``), derived from the current vote key."""
    return _derived(_current(), _DETAILS_LABEL)


def details_keys() -> list[bytes]:
    """The details keys of every vote key accepted, the current one first: details sealed
    before the vote key was rotated are still read at close."""
    found: list[bytes] = []
    for key in [_current(), *_fallbacks()]:
        derived = _derived(key, _DETAILS_LABEL)
        if derived not in found:
            found.append(derived)
    return found
