"""The national e-certificate identifier (GLOSSARY.md, "E-certificate identifier").

``1.2.156.3005.2.{type code}.{issuer USCC}.{serial}.{version}.{check}``: the type code is the
issuing authority's code + 3 digits, the issuer code its 18-character USCC, the serial the
type's running number in the zone (7 digits here), the version 3 digits (001 on first
issue; a re-issue keeps the rest and raises it), and the check character ISO 7064
MOD 37,36 computed over every preceding part with the dots left out (the alphabet of
MOD 37,36 is 0-9A-Z; ``stdnum.iso7064.mod_37_36``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

ROOT = "1.2.156.3005.2"
SERIAL_DIGITS = 7

_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{1,37}[0-9]{3})\.(?P<issuer>[0-9A-Z]{18})"
    r"\.(?P<serial>[0-9]{1,12})\.(?P<version>[0-9]{3})\.(?P<check>[0-9A-Z])$"
)


@dataclass(frozen=True)
class ParsedIdentifier:
    type_code: str
    issuer_code: str
    serial: int
    version: int


def _body(type_code: str, issuer_code: str, serial: int, version: int) -> str:
    return f"{ROOT}.{type_code}.{issuer_code}.{serial:0{SERIAL_DIGITS}d}.{version:03d}"


def check_character(body: str) -> str:
    return mod_37_36.calc_check_digit(body.replace(".", ""))


def build_identifier(*, type_code: str, issuer_code: str, serial: int, version: int = 1) -> str:
    if not 1 <= version <= 999:
        raise ValueError("version must be 1..999")
    body = _body(type_code.upper(), issuer_code.upper(), serial, version)
    return f"{body}.{check_character(body)}"


def parse_identifier(value: str) -> ParsedIdentifier | None:
    """The parts of a well-formed identifier whose check character is right, else None."""
    value = (value or "").strip().upper()
    match = _PATTERN.match(value)
    if match is None:
        return None
    body = value.rsplit(".", 1)[0]
    if check_character(body) != match["check"]:
        return None
    return ParsedIdentifier(
        type_code=match["type"],
        issuer_code=match["issuer"],
        serial=int(match["serial"]),
        version=int(match["version"]),
    )


def normalise(value: str) -> str:
    return (value or "").strip().upper()
