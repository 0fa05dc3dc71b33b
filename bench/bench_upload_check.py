"""Peak memory and time of the upload content check for an OFD bomb and a normal OFD.

    .venv/bin/python bench/bench_upload_check.py

The bomb is a ~200 KB OFD whose OFD.xml inflates to 195 MB (the security review's file).
Prints the peak bytes allocated by the check (tracemalloc) and its wall time.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")

import django

django.setup()

from onewindow.cases.tests.test_upload_bombs import (  # noqa: E402
    BOMB_INFLATED,
    ofd_with_index,
    peak_of_check,
)


def measure(label: str, content: bytes) -> None:
    started = time.perf_counter()
    peak, error = peak_of_check(content)
    elapsed = time.perf_counter() - started
    outcome = "refused" if error else "accepted"
    print(
        f"{label:<34} {len(content) / 1024:8.0f} KiB  peak {peak / 1024:8.0f} KiB  "
        f"{elapsed * 1000:7.1f} ms  {outcome}"
    )


if __name__ == "__main__":
    tracemalloc.start()
    tracemalloc.stop()
    measure("OFD bomb (OFD.xml → 195 MB)", ofd_with_index(BOMB_INFLATED))
    measure("normal OFD (OFD.xml 2 KB)", ofd_with_index(2048))
