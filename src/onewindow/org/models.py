"""The organisation: zone and parks, departments, windows, staff, applicants."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from onewindow.core.identifiers import mask_identifier
from onewindow.org.constants import (
    ApplicantKind,
    CalendarOverrideKind,
    Capacity,
    DepartmentKind,
    Role,
    UserKind,
    WindowKind,
)


class Zone(models.Model):
    """开发区: the zone running the platform."""

    code = models.CharField(
        _("区域代码"), max_length=10, unique=True, help_text=_("用于办件编号，如 SFQ")
    )
    name = models.CharField(_("名称"), max_length=100)
    division_code = models.CharField(_("行政区划代码"), max_length=6)
    address = models.CharField(_("政务服务中心地址"), max_length=200, blank=True)
    service_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=50, blank=True)
    document_prefix = models.CharField(
        _("文书机关代字"),
        max_length=10,
        blank=True,
        help_text=_("文书字号开头的机关代字，如“示经开”（示经开受字〔2026〕第1号）"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z][A-Z0-9]{1,9}$"),
                name="zone_code_upper_alnum",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Park(models.Model):
    """园区: one park of a zone (一区多园)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="parks")
    code = models.CharField(_("园区代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area_km2 = models.DecimalField(
        _("面积（平方公里）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "code"]
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="park_code_unique_in_zone")
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """部门 / 科室: an organ of the zone or one of its units, as a tree."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="departments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级部门"),
    )
    code = models.CharField(_("部门代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=DepartmentKind.choices)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        help_text=_("实施机关的统一社会信用代码（事项实施编码的前 18 位）"),
    )
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "sort_order", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="department_code_unique_in_zone")
        ]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """窗口: a service window of the hall."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="windows")
    code = models.CharField(_("窗口编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=WindowKind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("所属部门"),
    )
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在园区")
    )
    location = models.CharField(_("位置"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "code"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="window_code_unique_in_zone")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OneWindowUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser (``onewindow createsuperuser``) is staff, never an applicant.
        extra_fields.setdefault("kind", UserKind.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: staff of the zone or an applicant."""

    objects = OneWindowUserManager()

    kind = models.CharField(
        _("用户类型"), max_length=20, choices=UserKind.choices, default=UserKind.APPLICANT
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所在部门"),
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所在窗口"),
    )
    #: When the password was last set; staff must change it after
    #: ``ONEWINDOW_PASSWORD_MAX_AGE_DAYS`` (see :mod:`onewindow.org.passwords`).
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.kind == UserKind.APPLICANT

    def role_pairs(self) -> frozenset[tuple[str, int | None]]:
        """The (role, department id) pairs this user holds, read in one statement and
        cached per instance (so per request): the middleware's role checks and the
        department scopes of the permissions share it. ``forget_roles`` after a change."""
        cached = getattr(self, "_role_pairs", None)
        if cached is None:
            cached = frozenset(
                RoleAssignment.objects.filter(user_id=self.pk)
                .order_by()
                .values_list("role", "department_id")
            )
            self._role_pairs = cached
        return cached

    def role_set(self) -> frozenset[str]:
        """The staff roles of this user (cached per instance)."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(role for role, _department in self.role_pairs())
            self._role_cache = cached
        return cached

    def forget_roles(self) -> None:
        """Drop the cached roles (after a grant or a revocation)."""
        self._role_cache = None
        self._role_pairs = None

    def has_role(self, role: str) -> bool:
        return self.is_active and self.kind == UserKind.STAFF and role in self.role_set()

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """历史密码: the hash of a password a staff member used, never the password itself.

    Written when a password is set (``passwords.PasswordHistoryValidator.password_changed``)
    and trimmed to the last ``ONEWINDOW_PASSWORD_HISTORY`` entries.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class RoleAssignment(models.Model):
    """A staff role held by a user, in a department where the role needs one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("部门")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(department__isnull=True),
                name="role_assignment_unique_without_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Applicant(models.Model):
    """申请人: an enterprise, a person or a foreigner, identified by a validated number.

    Exactly one identifier applies per kind: 统一社会信用代码 (enterprise),
    居民身份证号码 (person), passport number + nationality (foreigner).
    """

    kind = models.CharField(_("申请人类型"), max_length=20, choices=ApplicantKind.choices)
    name = models.CharField(_("名称或姓名"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    id_number = models.CharField(_("居民身份证号码"), max_length=18, blank=True)
    passport_number = models.CharField(_("护照号码"), max_length=20, blank=True)
    nationality = CountryField(_("国籍"), blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    park = models.ForeignKey(
        Park, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("所在园区")
    )
    users = models.ManyToManyField(User, through="Representation", related_name="applicants")
    registered_zones = models.ManyToManyField(
        Zone,
        blank=True,
        related_name="+",
        verbose_name=_("窗口登记的开发区"),
        help_text=_("在这些开发区的窗口登记或核对过证件，因此属于这些开发区"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="applicant_uscc_unique"
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="applicant_id_number_unique",
            ),
            models.UniqueConstraint(
                fields=["nationality", "passport_number"],
                condition=~models.Q(passport_number=""),
                name="applicant_passport_unique",
            ),
            models.CheckConstraint(
                name="applicant_identifier_matches_kind",
                condition=(
                    models.Q(kind=ApplicantKind.ENTERPRISE, id_number="", passport_number="")
                    & ~models.Q(uscc="")
                )
                | (
                    models.Q(kind=ApplicantKind.PERSON, uscc="", passport_number="")
                    & ~models.Q(id_number="")
                )
                | (
                    models.Q(kind=ApplicantKind.FOREIGNER, uscc="", id_number="")
                    & ~models.Q(passport_number="")
                    & ~models.Q(nationality="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        """The full identifier: never show it without :func:`can_view_full_identifier`."""
        if self.kind == ApplicantKind.ENTERPRISE:
            return self.uscc
        if self.kind == ApplicantKind.PERSON:
            return self.id_number
        return f"{self.nationality.code} {self.passport_number}"

    @property
    def identifier_label(self) -> str:
        return {
            ApplicantKind.ENTERPRISE: _("统一社会信用代码"),
            ApplicantKind.PERSON: _("居民身份证号码"),
            ApplicantKind.FOREIGNER: _("护照号码"),
        }[self.kind]

    @property
    def masked_identifier(self) -> str:
        """The identifier as lists, exports and other people see it."""
        if self.kind == ApplicantKind.ENTERPRISE:
            return self.uscc  # a public registration number: not personal data
        if self.kind == ApplicantKind.PERSON:
            return mask_identifier(self.id_number)
        return f"{self.nationality.code} {mask_identifier(self.passport_number)}"


class Representation(models.Model):
    """A user acting for an applicant (本人, 法定代表人, 经办人, 代办员)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="representations")
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="representations"
    )
    capacity = models.CharField(_("身份"), max_length=30, choices=Capacity.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applicant_id", "user_id"]
        verbose_name = _("代表关系")
        verbose_name_plural = _("代表关系")
        constraints = [
            models.UniqueConstraint(fields=["user", "applicant"], name="representation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.applicant} ({self.get_capacity_display()})"


class ZoneCalendarOverride(models.Model):
    """A zone's own working-day change: an extra closure or an extra working day.

    It wins over the national notice for that zone (e.g. a typhoon closure).
    """

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="calendar_overrides")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("调整"), max_length=10, choices=CalendarOverrideKind.choices)
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "date"]
        verbose_name = _("本区工作日调整")
        verbose_name_plural = _("本区工作日调整")
        constraints = [
            models.UniqueConstraint(fields=["zone", "date"], name="calendar_override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.date} {self.get_kind_display()}"
