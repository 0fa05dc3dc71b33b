"""System checks on the signing keys at rest (``onewindow check``, runserver, migrate).

In production the private keys are encrypted with ``ONEWINDOW_KEY_PASSPHRASE``
(docs/deploy.md); these warnings name what is not: no passphrase to write new keys with,
and key files already on disk in plain text.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PLAIN_PEM = b"-----BEGIN PRIVATE KEY-----"


def plaintext_key_files(directory: Path) -> list[Path]:
    """The PEM files under ``directory`` (one folder per zone) that are not encrypted."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*/*.pem")):
        try:
            with path.open("rb") as handle:
                head = handle.read(len(PLAIN_PEM))
        except OSError:
            continue
        if head == PLAIN_PEM:
            found.append(path)
    return found


@register(Tags.security)
def check_signing_keys_encrypted(app_configs=None, **kwargs) -> list[CheckMessage]:
    if settings.ONEWINDOW_ALLOW_PLAINTEXT_KEYS:
        return []
    messages: list[CheckMessage] = []
    if not settings.ONEWINDOW_KEY_PASSPHRASE:
        messages.append(
            Warning(
                "ONEWINDOW_KEY_PASSPHRASE is not set: signing keys cannot be generated or "
                "rotated in production, and encrypted key files cannot be read.",
                hint="Set ONEWINDOW_KEY_PASSPHRASE (kept apart from the key backups), or "
                "ONEWINDOW_ALLOW_PLAINTEXT_KEYS=1 to keep plain keys on purpose.",
                id="certificates.W001",
            )
        )
    plain = plaintext_key_files(Path(settings.ONEWINDOW_KEY_DIR))
    if plain:
        messages.append(
            Warning(
                f"{len(plain)} signing key file(s) are not encrypted: "
                + ", ".join(str(path) for path in plain[:5]),
                hint="Encrypt them in place with the passphrase (openssl pkcs8 -topk8, "
                "docs/operations/backup.md, 'Signing keys'), or rotate each zone's key with "
                "ONEWINDOW_KEY_PASSPHRASE set.",
                id="certificates.W002",
            )
        )
    return messages
