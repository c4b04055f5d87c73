"""The society's Ed25519 evidence key: made once, kept in a file, used to sign manifests.

``SENTINELLE_SIGNING_KEY_PATH`` (default ``var/signing_key.pem``) holds the private key (PKCS#8
PEM, mode 0600). Without it a key is made on first use, written aside and linked into place, so
two processes racing make one key (the same way settings.py makes the secret key). Verification
needs only the public key, which every manifest and export carries (its SHA-256 fingerprint is
what a court is told to compare).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def key_path() -> Path:
    return Path(settings.SENTINELLE_SIGNING_KEY_PATH)


def _write_once(path: Path, data: bytes) -> bytes:
    """Writes ``data`` at ``path`` unless a file is already there; returns what is there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
        return data
    finally:
        os.unlink(tmp)


def load_private_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        fresh = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        pem = _write_once(path, fresh)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def society_public_key() -> Ed25519PublicKey:
    return load_private_key().public_key()


def sign(data: bytes) -> str:
    """The base64 Ed25519 signature of ``data`` by the society's key."""
    return base64.b64encode(load_private_key().sign(data)).decode("ascii")


def load_public_pem(pem: str | bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verify(public_key: Ed25519PublicKey, data: bytes, signature_b64: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature_b64.strip(), validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
