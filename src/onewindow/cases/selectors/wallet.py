"""The certificate wallet an application draws on (免提交)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onewindow.catalog.bundles import MergedMaterial
from onewindow.catalog.constants import MaterialSource
from onewindow.catalog.models import ItemVersion
from onewindow.certificates.models import Certificate
from onewindow.certificates.selectors import wallet
from onewindow.org.models import Applicant


@dataclass(frozen=True)
class WalletMaterial:
    """How one material line of an application is given before it is submitted."""

    line: MergedMaterial
    #: applicant id → the certificate that will fill it (免提交), for those who hold one
    held: dict[int, Certificate]
    #: another item of the same bundle issues it (asked of no one)
    produced: bool = False

    @property
    def from_certificate(self) -> bool:
        return self.line.source == MaterialSource.CERTIFICATE and bool(
            self.line.certificate_type_id
        )


def wallet_materials(
    lines: list[MergedMaterial],
    *,
    applicants: list[Applicant],
    versions: list[ItemVersion],
    on: dt.date | None = None,
) -> list[WalletMaterial]:
    """For each material line, which of ``applicants`` hold a valid certificate that will
    fill it at submission (their own wallets only: revoked, expired and other holders'
    certificates never count), and whether the bundle produces it itself."""
    produced = (
        {version.certificate_type_id for version in versions if version.certificate_type_id}
        if len(versions) > 1
        else set()
    )
    wanted = {
        line.certificate_type_id
        for line in lines
        if line.source == MaterialSource.CERTIFICATE
        and line.certificate_type_id
        and line.certificate_type_id not in produced
    }
    holdings: dict[tuple[int, int], Certificate] = {}
    if wanted:
        for applicant in applicants:
            for certificate in wallet(applicant, today=on).filter(certificate_type_id__in=wanted):
                # newest first: the first seen of a type is the one submission will use
                holdings.setdefault((applicant.pk, certificate.certificate_type_id), certificate)
    result = []
    for line in lines:
        is_produced = bool(line.certificate_type_id) and line.certificate_type_id in produced
        held = {}
        if line.source == MaterialSource.CERTIFICATE and not is_produced:
            held = {
                applicant.pk: holdings[(applicant.pk, line.certificate_type_id)]
                for applicant in applicants
                if (applicant.pk, line.certificate_type_id) in holdings
            }
        result.append(WalletMaterial(line=line, held=held, produced=is_produced))
    return result
