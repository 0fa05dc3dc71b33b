"""E-certificates (电子证照): types, zone signing keys, signed certificates, their uses
(调用记录) and verification counts. Rules: docs/certificates.md."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import urlencode

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.transitions import TransitionTable
from onewindow.org.models import Applicant, Department, User, Zone


class CertificateType(models.Model):
    """证照类型: a kind of licence or certificate, e.g. 营业执照, 食品经营许可证.

    ``code`` is the type code of the national e-certificate identifier: the issuing
    authority's code followed by three digits (GLOSSARY.md, "E-certificate identifier").
    ``fields`` lists the certified facts: ``[{"key", "label", "type"}]`` with type one of
    text, date, number.
    """

    class Validity(models.TextChoices):
        PERMANENT = "permanent", _("长期有效")
        YEARS = "years", _("按年计算")

    code = models.CharField(
        _("证照类型代码"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{1,37}[0-9]{3}$", _("证照类型代码应为发证机构代码加 3 位数字")
            )
        ],
    )
    name = models.CharField(_("证照名称"), max_length=100)
    issuing_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_types",
        verbose_name=_("发证部门"),
    )
    fields = models.JSONField(_("证照字段"), default=list, blank=True)
    validity = models.CharField(
        _("有效期规则"), max_length=20, choices=Validity.choices, default=Validity.PERMANENT
    )
    validity_years = models.PositiveSmallIntegerField(_("有效年限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        constraints = [
            models.CheckConstraint(
                name="certificate_type_validity_years",
                condition=(models.Q(validity="permanent", validity_years__isnull=True))
                | (models.Q(validity="years", validity_years__gte=1)),
            )
        ]

    def __str__(self) -> str:
        return self.name


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("签发中")
    RETIRED = "retired", _("已轮换（仅用于验证）")


class SigningKey(models.Model):
    """A zone's Ed25519 signing key: only its public half lives in the database.

    The private half is a PKCS#8 PEM file under ``settings.ONEWINDOW_KEY_DIR`` named by the
    key id (``keys.private_key_path``), readable by the service account only, so a database
    dump or a log never holds it. One key per zone is active (signs); rotated-out keys stay
    published so that every certificate they signed still verifies.
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="signing_keys")
    key_id = models.CharField(_("密钥标识"), max_length=64, unique=True)
    public_key = models.BinaryField(_("公钥"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    retired_at = models.DateTimeField(_("轮换时间"), null=True, blank=True)

    class Meta:
        ordering = ["zone_id", "-created_at"]
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        constraints = [
            models.UniqueConstraint(
                fields=["zone"],
                condition=models.Q(status="active"),
                name="signing_key_one_active_per_zone",
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")  # never stored: derived from valid_until


class CertificateAction(models.TextChoices):
    """What moves a certificate (the verbs of its transition table)."""

    REVOKE = "revoke", _("注销")


#: (from status, action) → to status over the stored status (``expired`` is derived from
#: ``valid_until``, never stored: an expired certificate may still be revoked). Anything
#: else is refused (core.transitions, ADR 0017).
CERTIFICATE_TRANSITIONS = TransitionTable(
    subject=_("电子证照"),
    statuses=CertificateStatus,
    actions=CertificateAction,
    moves={(CertificateStatus.VALID, CertificateAction.REVOKE): CertificateStatus.REVOKED},
)


class HolderKind(models.TextChoices):
    ENTERPRISE = "uscc", _("统一社会信用代码")
    PERSON = "id_card", _("居民身份证")
    FOREIGNER = "passport", _("护照")


class CertificateSequence(models.Model):
    """The last serial given for a certificate type in a zone (locked when taken)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.CASCADE, related_name="+"
    )
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "certificate_type"], name="certificate_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_type_id}@{self.zone_id}: {self.last}"


#: The verification code's alphabet: digits and capitals that cannot be mistaken for one
#: another when read off paper (no 0/O, 1/I/L).
VERIFICATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 8


def new_verification_code() -> str:
    """A random 查验码: 8 characters of 31 (about 40 bits), never derived from the serial."""
    return "".join(
        secrets.choice(VERIFICATION_CODE_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH)
    )


class Certificate(models.Model):
    """电子证照: the signed record of facts a department certifies about a holder.

    ``identifier`` follows the national structure (GLOSSARY.md, "E-certificate identifier";
    ``identifiers.build_identifier``). ``payload`` is the canonical JSON that was signed,
    byte for byte, and ``signature`` the Ed25519 signature over its UTF-8 bytes by
    ``signing_key``: the offline check needs nothing else. ``status`` stores only valid or
    revoked; expiry is derived from ``valid_until`` on the day one asks
    (``effective_status``). The case that issued it is kept as its number (plain data: this
    app sits below cases). ``verification_code`` (查验码) is printed beside the identifier
    and carried in the QR code: the public check needs both, so that identifiers, which
    are sequential, do not open a register of holders (ADR 0011).
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="certificates")
    certificate_type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("证照类型"),
    )
    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    verification_code = models.CharField(
        _("查验码"), max_length=8, default=new_verification_code, editable=False
    )
    serial = models.PositiveIntegerField(_("顺序号"))
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    issuing_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("发证部门"),
    )
    holder = models.ForeignKey(
        Applicant,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("持证主体"),
    )
    holder_kind = models.CharField(_("持证主体证件类型"), max_length=10, choices=HolderKind.choices)
    holder_identifier = models.CharField(_("持证主体证件号码"), max_length=40)
    holder_name = models.CharField(_("持证主体名称"), max_length=200)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    facts = models.JSONField(_("证照信息"), default=dict)
    payload = models.TextField(_("签名原文"))
    signature = models.CharField(_("签名"), max_length=100)
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("签名密钥"),
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CertificateStatus.choices[:2],
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("注销原因"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("注销人"),
    )
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "certificate_type", "serial", "version"],
                name="certificate_serial_version_unique",
            ),
            models.CheckConstraint(
                name="certificate_revocation_complete",
                condition=models.Q(status="valid", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "certificate_type", "status"], name="cert_wallet_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_type.name} {self.identifier}"

    def verification_path(self) -> str:
        """The public check of this certificate, its 查验码 included (what the QR code and
        every link to the check carry)."""
        path = reverse("certificates:verify", kwargs={"identifier": self.identifier})
        return f"{path}?{urlencode({'c': self.verification_code})}"

    def effective_status(self, today: date | None = None) -> str:
        """valid, revoked or expired on ``today`` (the zone's local date by default)."""
        if self.status == CertificateStatus.REVOKED:
            return CertificateStatus.REVOKED
        today = today or timezone.localdate()
        if self.valid_until is not None and self.valid_until < today:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class CertificateUse(models.Model):
    """调用记录: one use of a certificate in place of a material (免提交), or a download.

    Who used it (the acting user), for which case (its number, plain data), when, and the
    purpose (the item and the material it stood for).
    """

    class Kind(models.TextChoices):
        MATERIAL = "material", _("免提交材料")
        DOWNLOAD = "download", _("下载证照文件")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField(_("调用类型"), max_length=10, choices=Kind.choices)
    used_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调用人"),
    )
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    purpose = models.CharField(_("用途"), max_length=300)
    used_at = models.DateTimeField(_("调用时间"), default=timezone.now)

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("证照调用记录")
        verbose_name_plural = _("证照调用记录")
        indexes = [models.Index(fields=["certificate", "-used_at"], name="cert_use_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number or ''} {self.used_at:%Y-%m-%d}"


class VerificationTally(models.Model):
    """Verifications counted per type, day and channel (page, API, offline is not seen).

    A counter row rather than a row per check: the public verification page is hit often
    and only the counts are ever read (the stats page)."""

    class Channel(models.TextChoices):
        PAGE = "page", _("查验页面")
        API = "api", _("查验接口")

    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_type", "day", "channel"], name="verification_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.count}"
