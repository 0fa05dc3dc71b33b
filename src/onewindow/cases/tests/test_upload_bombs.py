"""Checking an OFD costs little memory whatever the archive claims (ADR 0013).

A ~200 KB OFD whose ``OFD.xml`` inflates to ~200 MB once took a worker from 218 MB to
579 MB. These tests measure the check's peak allocation with ``tracemalloc``: a memory
bound, not a timing, so it is stable on any machine.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.tests.test_uploads import OFD_XML, ofd_bytes, zip_bytes
from onewindow.cases.uploads import OFD_MAX_ENTRIES, OFD_XML_MAX_BYTES, inspect_upload
from onewindow.core.errors import ValidationFailed

MB = 1024 * 1024
#: What checking any OFD may allocate at its peak.
PEAK_LIMIT = 3 * MB
#: The inflated size of the bomb's OFD.xml (the issue's: under ten times the upload limit,
#: so a check of the declared total alone lets it through).
BOMB_INFLATED = 195 * MB


def ofd_with_index(inflated: int, *, filler: bytes = b" ") -> bytes:
    """An OFD whose OFD.xml is well-formed XML padded with ``inflated`` bytes of filler,
    deflated a megabyte at a time (the test itself never holds the inflated text)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        with package.open("OFD.xml", "w") as entry:
            entry.write(OFD_XML)
            block = filler * MB
            for start in range(0, inflated, MB):
                entry.write(block[: min(MB, inflated - start)])
        package.writestr("Doc_0/Document.xml", b"<ofd:Document/>")
    return output.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    content = ofd_with_index(BOMB_INFLATED)
    assert len(content) < 300 * 1024  # about 200 KB on the wire
    return content


def peak_of_check(content: bytes) -> tuple[int, ValidationFailed | None]:
    """The peak bytes allocated while checking ``content`` (the upload itself, already in
    memory, not counted), and the refusal if there was one."""
    uploaded = SimpleUploadedFile("a.ofd", content, content_type="application/ofd")
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        try:
            inspect_upload(uploaded, max_bytes=20 * MB)
            error = None
        except ValidationFailed as refused:
            error = refused
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, error


def test_an_ofd_whose_index_inflates_to_195_mb_is_refused_in_little_memory(bomb):
    peak, error = peak_of_check(bomb)

    assert error is not None
    assert error.code == "upload_too_large"
    assert error.fields == {"file": [error.message]}
    assert "OFD 文件解压后过大" in error.message
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.1f} MB"


def _lie_about_size(content: bytes, name: bytes, size: int) -> bytes:
    """``content`` with ``name``'s uncompressed size rewritten to ``size`` in both its
    local header and its central directory record (the data and CRC left as they are)."""
    data = bytearray(content)
    local = data.find(b"PK\x03\x04" + data[4:8])  # the first local header
    while local >= 0:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<L", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<L", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_an_index_that_declares_a_small_size_but_inflates_to_195_mb(bomb):
    liar = _lie_about_size(bomb, b"OFD.xml", 4096)

    peak, error = peak_of_check(liar)

    assert error is not None
    assert error.code == "upload_damaged"  # the reader stops at 4096 bytes; the CRC fails
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.1f} MB"


def test_an_index_with_an_implausible_compression_ratio_is_refused():
    content = ofd_with_index(OFD_XML_MAX_BYTES // 2)  # under the size bound, ~1000:1

    peak, error = peak_of_check(content)

    assert error is not None
    assert error.code == "upload_too_large"
    assert peak < PEAK_LIMIT


def test_a_normal_ofd_passes_in_little_memory():
    peak, error = peak_of_check(ofd_bytes())

    assert error is None
    assert peak < PEAK_LIMIT


def test_a_large_index_that_compresses_like_xml_passes():
    # 600 KB of varied markup: a ratio well under 100:1, a size under the bound.
    rows = b"".join(
        b'<ofd:Page ID="%d" BaseLoc="Pages/Page_%d/Content.xml" Sum="%x"/>'
        % (index, index, zlib.crc32(b"%d" % index))
        for index in range(8_000)
    )
    document = OFD_XML.replace(b"</ofd:OFD>", rows + b"</ofd:OFD>")
    assert 400 * 1024 < len(document) < OFD_XML_MAX_BYTES

    peak, error = peak_of_check(zip_bytes({"OFD.xml": document}))

    assert error is None
    assert peak < PEAK_LIMIT


def test_an_archive_with_too_many_entries_is_refused_before_it_is_listed():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as package:
        package.writestr("OFD.xml", OFD_XML)
        for index in range(OFD_MAX_ENTRIES + 1):
            package.writestr(f"{index}", b"")

    peak, error = peak_of_check(output.getvalue())

    assert error is not None
    assert error.code == "upload_too_large"
    assert str(OFD_MAX_ENTRIES) in error.message
    assert peak < PEAK_LIMIT


def test_an_end_record_that_understates_the_directory_is_refused():
    # The end record says one entry; the directory holds three: zipfile would list them all.
    content = bytearray(zip_bytes({"OFD.xml": OFD_XML, "a": b"", "b": b""}))
    end = content.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", content, end + 8, 1, 1)

    _peak, error = peak_of_check(bytes(content))

    assert error is not None
    assert error.code == "upload_damaged"
