"""Checking an uploaded material by its content (never by its name or declared type).

A material is accepted when its bytes are one of the allowed formats and the file is
whole: a PDF that starts with ``%PDF-`` and ends with ``%%EOF``, a JPEG or PNG that Pillow
reads to the end, an OFD (GB/T 33190: a ZIP package with ``OFD.xml`` at its root). The
uploader's file name and the browser's Content-Type are not trusted: the stored name is
ours (``models.material_upload_path``) and the type stored is the one found here.

Bombs are refused before they are unpacked: an image whose dimensions exceed Pillow's
``MAX_IMAGE_PIXELS``, an OFD whose entries would unpack to more than ten times the upload
limit. Of an OFD only ``OFD.xml`` is inflated, in chunks and within a small bound, so
checking one costs the same little memory whatever the archive claims (ADR 0013): the
archive's directory is read only when it lists few entries, and ``OFD.xml`` must declare
a small size and a plausible compression ratio (the real size cannot exceed the declared
one: the reader stops there, and the CRC then fails).
"""

from __future__ import annotations

import codecs
import hashlib
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from onewindow.core.errors import ValidationFailed

#: Content type → the extension the stored file is served with.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}

FIELD = "file"
CHUNK_BYTES = 64 * 1024
#: How many bytes are read to recognise a format.
HEAD_BYTES = 8 * 1024
#: ``%%EOF`` must appear within this many bytes of the end (the PDF specification's rule).
PDF_TAIL_BYTES = 1024
#: An OFD package may unpack to at most this many times the upload limit.
ZIP_EXPANSION_FACTOR = 10
#: An OFD lists at most this many entries (a few per page: thousands of pages).
OFD_MAX_ENTRIES = 10_000
#: ``OFD.xml`` is the document index (a few hundred bytes in practice).
OFD_XML_MAX_BYTES = 1024 * 1024
#: ``OFD.xml`` may inflate to at most this many times its compressed size …
OFD_XML_MAX_RATIO = 100
#: … once it is larger than this (tiny entries have arbitrary ratios).
OFD_XML_RATIO_FROM_BYTES = 64 * 1024
#: … in a central directory of at most this many bytes (about 100 bytes an entry).
OFD_MAX_DIRECTORY_BYTES = 2 * 1024 * 1024
#: The end-of-central-directory record and a central directory entry (their fixed parts;
#: an entry's name, extra field and comment lengths are its 11th to 13th fields).
_ZIP_END_SIGNATURE = b"PK\x05\x06"
_ZIP_END = struct.Struct("<4s4H2LH")
_ZIP_ENTRY_SIGNATURE = b"PK\x01\x02"
_ZIP_ENTRY = struct.Struct("<4s6H3L5H2L")

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"

#: What refused formats look like (first bytes → a description for the message).
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\xfe\xed\xfa\xce", "executable"),
    (b"\xfe\xed\xfa\xcf", "executable"),
    (b"\xce\xfa\xed\xfe", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),
    (b"#!", "script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),  # Word, Excel, PowerPoint 97–2003
    (b"{\\rtf", "word"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"BM", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"Rar!\x1a\x07", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"PK\x05\x06", "archive"),  # an empty ZIP
)


@dataclass(frozen=True)
class UploadInfo:
    """What an accepted upload is: its real type, its extension, size and digest."""

    content_type: str
    extension: str
    size: int
    sha256: str


def inspect_upload(uploaded: Any, *, max_bytes: int | None = None) -> UploadInfo:
    """Check ``uploaded`` (a Django ``UploadedFile`` or any file with read/seek/size/name)
    by its content; raise :class:`ValidationFailed` on ``file`` when it is refused.

    The file is read in chunks and left at position 0.
    """
    limit = settings.ONEWINDOW_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if uploaded is None:
        raise _empty()
    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    try:
        size, sha256 = _digest(uploaded, limit)
        if size == 0:
            raise _empty()
        uploaded.seek(0)
        head = uploaded.read(HEAD_BYTES)
        content_type = _sniff(head)
        if content_type is None:
            raise _not_allowed(_describe(head))
        if content_type == "application/pdf":
            _check_pdf(uploaded, size)
        elif content_type in ("image/jpeg", "image/png"):
            _check_image(uploaded, content_type)
        else:
            _check_ofd(uploaded, limit)
    finally:
        uploaded.seek(0)
    return UploadInfo(
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        size=size,
        sha256=sha256,
    )


# --- errors ---------------------------------------------------------------------------


def _allowed_list() -> str:
    return "PDF、JPEG、PNG、OFD"


def _empty() -> ValidationFailed:
    return ValidationFailed.for_field(FIELD, _("文件为空，请重新选择文件"), code="upload_empty")


def _format_limit(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    if limit >= 1024:
        return f"{limit / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{limit} B"


def _too_large(limit: int) -> ValidationFailed:
    return ValidationFailed.for_field(
        FIELD,
        _("文件过大：单个文件不能超过 {limit}").format(limit=_format_limit(limit)),
        code="upload_too_large",
    )


def _looks_like(kind: str) -> str:
    return {
        "executable": _("可执行程序"),
        "script": _("脚本文件"),
        "office": _("Office 文档（Word、Excel 等）"),
        "word": _("Word 文档"),
        "excel": _("Excel 表格"),
        "powerpoint": _("PowerPoint 演示文稿"),
        "opendocument": _("OpenDocument 文档"),
        "image": _("其他格式的图片"),
        "heic": _("HEIC 格式的照片"),
        "webp": _("WebP 格式的图片"),
        "archive": _("压缩包"),
        "html": _("网页文件"),
        "text": _("文本文件"),
    }[kind]


def _not_allowed(kind: str | None) -> ValidationFailed:
    if kind is None:
        message = _("文件类型不允许：仅接受 {allowed} 格式的文件").format(allowed=_allowed_list())
    else:
        message = _("文件类型不允许（该文件是{kind}）：仅接受 {allowed} 格式的文件").format(
            kind=_looks_like(kind), allowed=_allowed_list()
        )
    return ValidationFailed.for_field(FIELD, message, code="upload_type_not_allowed")


def _zip_not_ofd(kind: str | None) -> ValidationFailed:
    if kind is None:
        message = _("ZIP 压缩包不是 OFD 文件：仅接受 {allowed} 格式的文件").format(
            allowed=_allowed_list()
        )
    else:
        message = _(
            "ZIP 压缩包不是 OFD 文件（该文件是{kind}）：仅接受 {allowed} 格式的文件"
        ).format(kind=_looks_like(kind), allowed=_allowed_list())
    return ValidationFailed.for_field(FIELD, message, code="upload_type_not_allowed")


def _damaged(format_name: str) -> ValidationFailed:
    return ValidationFailed.for_field(
        FIELD,
        _("{format} 文件已损坏或不完整，请重新生成或扫描后上传").format(format=format_name),
        code="upload_damaged",
    )


def _image_too_big() -> ValidationFailed:
    return ValidationFailed.for_field(
        FIELD,
        _("图片尺寸过大（像素数超出限制），请缩小后上传"),
        code="upload_damaged",
    )


# --- reading --------------------------------------------------------------------------


def _digest(uploaded: IO[bytes], limit: int) -> tuple[int, str]:
    """The real size and SHA-256, read in chunks; refuse as soon as the limit is passed
    (the declared size may be missing or wrong)."""
    uploaded.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := uploaded.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        digest.update(chunk)
    return size, digest.hexdigest()


def _sniff(head: bytes) -> str | None:
    """The allowed content type the first bytes announce, or None."""
    if head.startswith(PDF_MAGIC):
        return "application/pdf"
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    if head.startswith(ZIP_MAGIC):
        return "application/ofd"  # confirmed (or refused) by _check_ofd
    return None


def _describe(head: bytes) -> str | None:
    """What a refused file looks like, when we can tell."""
    for signature, kind in _KNOWN_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heic"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    text = _as_text(head)
    if text is None:
        return None
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


def _as_text(head: bytes) -> str | None:
    """The first bytes as text (UTF-8 or GB 18030, a character cut at the end allowed),
    or None when they are binary."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if not any(ord(char) < 32 and char not in "\t\r\n\f" for char in text):
            return text
    return None


def _zip_kind(names: list[str]) -> str | None:
    """What a ZIP package that is not an OFD holds (Office Open XML, OpenDocument)."""
    if any(name.startswith("word/") for name in names):
        return "word"
    if any(name.startswith("xl/") for name in names):
        return "excel"
    if any(name.startswith("ppt/") for name in names):
        return "powerpoint"
    if "mimetype" in names and any(name == "content.xml" for name in names):
        return "opendocument"
    return None


# --- per format -----------------------------------------------------------------------


def _check_pdf(uploaded: IO[bytes], size: int) -> None:
    uploaded.seek(max(0, size - PDF_TAIL_BYTES))
    if b"%%EOF" not in uploaded.read(PDF_TAIL_BYTES):
        raise _damaged("PDF")


def _check_image(uploaded: IO[bytes], content_type: str) -> None:
    pillow_format = "JPEG" if content_type == "image/jpeg" else "PNG"
    uploaded.seek(0)
    try:
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: refuse both.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded, formats=[pillow_format]) as image:
                width, height = image.size
                if Image.MAX_IMAGE_PIXELS is not None and width * height > Image.MAX_IMAGE_PIXELS:
                    raise _image_too_big()
                # verify() walks the chunks (PNG CRCs, to IEND).
                image.verify()
            if pillow_format == "JPEG":
                # verify() does not decode a JPEG: decode it at 1/8 scale (cheap) to find
                # a truncated or broken scan.
                uploaded.seek(0)
                with Image.open(uploaded, formats=["JPEG"]) as image:
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _image_too_big() from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        zlib.error,
    ):
        raise _damaged(pillow_format) from None


def _zip_entry_count(uploaded: IO[bytes]) -> int | None:
    """How many entries the archive's central directory holds, counted from its records
    before ``zipfile`` builds an object for each; None when the archive has no usable
    end record (ZIP64, a split archive, none at all: no OFD needs them) or a directory
    that does not add up. At most OFD_MAX_DIRECTORY_BYTES are read."""
    uploaded.seek(0, 2)
    size = uploaded.tell()
    start = max(0, size - (_ZIP_END.size + 0xFFFF))
    uploaded.seek(start)
    tail = uploaded.read(size - start)
    position = tail.rfind(_ZIP_END_SIGNATURE)
    if position < 0 or len(tail) - position < _ZIP_END.size:
        return None
    _signature, disk, first_disk, on_disk, total, directory_size, _offset, _comment = (
        _ZIP_END.unpack(tail[position : position + _ZIP_END.size])
    )
    if disk != 0 or first_disk != 0 or on_disk != total or total == 0xFFFF:
        return None
    if total > OFD_MAX_ENTRIES or directory_size > OFD_MAX_DIRECTORY_BYTES:
        return OFD_MAX_ENTRIES + 1
    # The directory ends where the end record starts (zipfile reads it from there too).
    directory_start = start + position - directory_size
    if directory_start < 0:
        return None
    uploaded.seek(directory_start)
    directory = uploaded.read(directory_size)
    count = offset = 0
    while offset < len(directory):
        record = directory[offset : offset + _ZIP_ENTRY.size]
        if len(record) < _ZIP_ENTRY.size or not record.startswith(_ZIP_ENTRY_SIGNATURE):
            return None
        fields = _ZIP_ENTRY.unpack(record)
        offset += _ZIP_ENTRY.size + fields[10] + fields[11] + fields[12]
        count += 1
        if count > OFD_MAX_ENTRIES:
            return count
    return count if count == total else None


def _ofd_too_large(limit: int) -> ValidationFailed:
    return ValidationFailed.for_field(
        FIELD,
        _("OFD 文件解压后过大（超过 {limit}），请检查文件").format(limit=_format_limit(limit)),
        code="upload_too_large",
    )


def _check_ofd(uploaded: IO[bytes], limit: int) -> None:
    try:
        entries = _zip_entry_count(uploaded)
        if entries is None:
            raise _damaged("OFD")
        if entries > OFD_MAX_ENTRIES:
            raise ValidationFailed.for_field(
                FIELD,
                _("OFD 文件包含的部件过多（超过 {count} 个），请检查文件").format(
                    count=OFD_MAX_ENTRIES
                ),
                code="upload_too_large",
            )
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as package:
            infos = package.infolist()
            names = [info.filename for info in infos]
            if "OFD.xml" not in names:
                raise _zip_not_ofd(_zip_kind(names))
            if sum(info.file_size for info in infos) > ZIP_EXPANSION_FACTOR * limit:
                raise _ofd_too_large(ZIP_EXPANSION_FACTOR * limit)
            index = package.getinfo("OFD.xml")
            if index.file_size > OFD_XML_MAX_BYTES or (
                index.file_size > OFD_XML_RATIO_FROM_BYTES
                and index.file_size > OFD_XML_MAX_RATIO * max(index.compress_size, 1)
            ):
                raise _ofd_too_large(OFD_XML_MAX_BYTES)
            head = _read_bounded(package, index)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError,
            OSError, EOFError, zlib.error, ValueError, struct.error):  # fmt: skip
        raise _damaged("OFD") from None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _damaged("OFD")


def _read_bounded(package: zipfile.ZipFile, index: zipfile.ZipInfo) -> bytes:
    """The first HEAD_BYTES of the entry. The whole entry is inflated, a chunk at a time
    (its CRC is checked at the end), but only the head is kept; the reader never yields
    more than the declared size, which the caller has bounded."""
    head = b""
    with package.open(index) as entry:
        while chunk := entry.read(CHUNK_BYTES):
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
    return head
