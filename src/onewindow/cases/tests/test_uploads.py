"""inspect_upload: materials are checked by their bytes, never by their name."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reportlab.pdfgen import canvas

from onewindow.cases.uploads import ALLOWED_TYPES, UploadInfo, inspect_upload
from onewindow.core.errors import ValidationFailed

ALLOWED_LIST = "PDF、JPEG、PNG、OFD"

TINY_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)

OFD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    b"<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


# --- builders -------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "OneWindow material")
    page.showPage()
    page.save()
    return buffer.getvalue()


def image_bytes(fmt: str, size=(64, 48), mode="RGB", noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes(mode, size, bytes(range(256)) * (size[0] * size[1] * 3 // 256 + 1))
    else:
        image = Image.new(mode, size, color="white" if mode != "1" else 1)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=95) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return buffer.getvalue()


def ofd_bytes() -> bytes:
    return zip_bytes(
        {
            "OFD.xml": OFD_XML,
            "Doc_0/Document.xml": b"<ofd:Document/>",
            "Doc_0/Pages/Page_0/Content.xml": b"<ofd:Page/>",
        }
    )


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "材料.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refused(uploaded, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        inspect_upload(uploaded, **kwargs)
    error = caught.value
    assert error.fields == {"file": [error.message]}
    assert uploaded is None or uploaded.tell() == 0
    return error


# --- accepted -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [
        pytest.param(pdf_bytes(), "application/pdf", ".pdf", id="pdf-reportlab"),
        pytest.param(TINY_PDF, "application/pdf", ".pdf", id="pdf-handwritten"),
        pytest.param(image_bytes("PNG"), "image/png", ".png", id="png"),
        pytest.param(image_bytes("JPEG", noise=True), "image/jpeg", ".jpg", id="jpeg"),
        pytest.param(ofd_bytes(), "application/ofd", ".ofd", id="ofd"),
    ],
)
def test_accepts_allowed_content(content, content_type, extension):
    uploaded = upload(content, name="whatever.bin", content_type="application/octet-stream")

    info = inspect_upload(uploaded)

    assert info == UploadInfo(
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert ALLOWED_TYPES[info.content_type] == info.extension
    assert uploaded.tell() == 0


def test_type_comes_from_the_content_not_the_name():
    # A PNG named .pdf and declared as a PDF is a PNG.
    uploaded = upload(image_bytes("PNG"), name="scan.pdf", content_type="application/pdf")

    assert inspect_upload(uploaded).content_type == "image/png"


def test_accepts_any_file_like_object():
    uploaded = File(io.BytesIO(TINY_PDF), name="x.pdf")

    info = inspect_upload(uploaded)

    assert info.size == len(TINY_PDF)
    assert uploaded.tell() == 0


def test_reads_large_files_in_chunks():
    content = TINY_PDF[:-7] + b"0" * 300_000 + b"\n%%EOF\n"

    info = inspect_upload(upload(content))

    assert info.sha256 == hashlib.sha256(content).hexdigest()


# --- empty and too large --------------------------------------------------------------


def test_refuses_no_file():
    error = refused(None)
    assert error.code == "upload_empty"


def test_refuses_an_empty_file():
    error = refused(upload(b""))
    assert error.code == "upload_empty"
    assert "文件为空" in error.message


def test_refuses_a_file_over_max_bytes():
    error = refused(upload(TINY_PDF), max_bytes=100)
    assert error.code == "upload_too_large"


def test_default_limit_is_the_setting_and_named_in_mb(settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 1024 * 1024
    content = TINY_PDF + b"0" * (1024 * 1024)

    error = refused(upload(content))

    assert error.code == "upload_too_large"
    assert "1 MB" in error.message


def test_a_wrong_declared_size_does_not_get_past_the_limit():
    uploaded = upload(TINY_PDF + b"0" * 5000)
    uploaded.size = 10  # lies

    error = refused(uploaded, max_bytes=1000)

    assert error.code == "upload_too_large"


# --- not allowed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "可执行程序", id="elf"),
        pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 200, "可执行程序", id="windows-exe"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Office", id="doc"),
        pytest.param(image_bytes("GIF"), "其他格式的图片", id="gif"),
        pytest.param("申请表\n姓名：张三\n".encode(), "文本文件", id="text"),
        pytest.param("申请表\n".encode("gb18030") * 10, "文本文件", id="text-gb18030"),
    ],
)
def test_refuses_types_not_allowed_and_says_what_they_are(content, looks_like):
    error = refused(upload(content, name="材料.pdf"))

    assert error.code == "upload_type_not_allowed"
    assert looks_like in error.message
    assert ALLOWED_LIST in error.message


def test_refuses_a_text_file_named_jpg():
    error = refused(upload(b"hello, this is not a photo\n", name="photo.jpg"))
    assert error.code == "upload_type_not_allowed"
    assert "文本文件" in error.message


def test_refuses_unknown_binary_without_guessing():
    error = refused(upload(bytes([0x00, 0x01, 0x02, 0xFF]) * 100))
    assert error.code == "upload_type_not_allowed"
    assert "该文件是" not in error.message


def test_refuses_a_word_document_renamed_ofd():
    error = refused(upload(docx_bytes(), name="合同.ofd"))

    assert error.code == "upload_type_not_allowed"
    assert "ZIP 压缩包不是 OFD 文件" in error.message
    assert "Word 文档" in error.message


def test_refuses_a_zip_without_root_ofd_xml():
    content = zip_bytes({"Doc_0/OFD.xml": OFD_XML, "readme.txt": b"hi"})

    error = refused(upload(content, name="a.ofd"))

    assert error.code == "upload_type_not_allowed"
    assert "ZIP 压缩包不是 OFD 文件" in error.message


# --- damaged --------------------------------------------------------------------------


def test_refuses_a_truncated_pdf():
    content = pdf_bytes()

    error = refused(upload(content[: len(content) // 2]))

    assert error.code == "upload_damaged"
    assert "PDF" in error.message


def test_refuses_a_truncated_png():
    content = image_bytes("PNG", size=(200, 200), noise=True)

    error = refused(upload(content[: len(content) // 2], name="a.png"))

    assert error.code == "upload_damaged"
    assert "PNG" in error.message


def test_refuses_a_png_that_is_only_a_header():
    error = refused(upload(b"\x89PNG\r\n\x1a\n", name="a.png"))
    assert error.code == "upload_damaged"


def test_refuses_a_png_with_a_corrupted_chunk():
    content = bytearray(image_bytes("PNG", size=(50, 50), noise=True))
    content[60] ^= 0xFF  # inside IDAT: its CRC no longer matches

    error = refused(upload(bytes(content), name="a.png"))

    assert error.code == "upload_damaged"


def test_refuses_a_truncated_jpeg():
    content = image_bytes("JPEG", size=(256, 256), noise=True)

    error = refused(upload(content[: len(content) // 2], name="a.jpg"))

    assert error.code == "upload_damaged"
    assert "JPEG" in error.message


def test_refuses_a_broken_zip():
    error = refused(upload(b"PK\x03\x04" + b"\x01" * 500, name="a.ofd"))
    assert error.code == "upload_damaged"


def test_refuses_an_ofd_whose_ofd_xml_is_not_xml():
    error = refused(upload(zip_bytes({"OFD.xml": b"\x00\x01binary"}), name="a.ofd"))
    assert error.code == "upload_damaged"


# --- bombs ----------------------------------------------------------------------------


def test_refuses_an_image_claiming_absurd_dimensions():
    # 100000 × 100000 pixels in a file of a hundred bytes: refused from the header.
    error = refused(upload(png_claiming(100_000, 100_000), name="bomb.png"))
    assert error.code == "upload_damaged"
    assert "像素" in error.message


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((300, 300), id="over-twice-the-limit-error"),
        pytest.param((120, 100), id="over-the-limit-warning"),
    ],
)
def test_refuses_a_decompression_bomb(monkeypatch, size):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    content = image_bytes("PNG", size=size, mode="1")  # compresses to almost nothing

    error = refused(upload(content, name="bomb.png"))

    assert "像素" in error.message


def test_an_image_under_the_pixel_limit_passes(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)

    info = inspect_upload(upload(image_bytes("PNG", size=(90, 90), mode="1"), name="a.png"))

    assert info.content_type == "image/png"


def test_refuses_a_zip_bomb_posing_as_ofd():
    content = zip_bytes({"OFD.xml": OFD_XML, "Doc_0/big.bin": b"\x00" * 2_000_000})
    assert len(content) < 10_000

    error = refused(upload(content, name="a.ofd"), max_bytes=100_000)

    assert error.code == "upload_too_large"
    assert "解压" in error.message
