"""Certificate pages: the public check, the published keys, the holder's wallet (我的证照),
the staff list, a certificate's page with its use log and revocation, the statistics, and
the PDF.

Each view parses input, checks access (a role per page, then the certificate itself:
"not found" for missing and forbidden alike), calls one service or selector and renders.
The public check answers every identifier that names no certificate (malformed, a wrong
check character, unknown) with one and the same page, and is limited per client address.
By audience: ``public``, ``holder``, ``staff``, ``files``; ``common`` holds what they share.
"""

from onewindow.certificates.views.files import pdf, pdf_filename
from onewindow.certificates.views.holder import wallet, wallet_detail
from onewindow.certificates.views.public import (
    public_keys,
    typed_identifier,
    verify_form,
    verify_page,
)
from onewindow.certificates.views.staff import revoke, staff_detail, staff_list, stats

__all__ = [
    "pdf",
    "pdf_filename",
    "public_keys",
    "revoke",
    "staff_detail",
    "staff_list",
    "stats",
    "typed_identifier",
    "verify_form",
    "verify_page",
    "wallet",
    "wallet_detail",
]
