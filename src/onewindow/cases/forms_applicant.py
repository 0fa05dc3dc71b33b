"""Forms of the applicant's pages: input parsing only; the rules live in ``services``.

The application form is built from the catalog: the applicant identities the user
represents, the item's fixed fields (contact, phone, description) or the bundle's own
``form_fields``, and one file input per material the applicant brings. Every file is
checked by its content (:func:`onewindow.cases.uploads.inspect_upload`) while the form is
validated, so a bad file is reported next to its material before anything is created.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.models import ApplicationDraft, DraftFile
from onewindow.cases.selectors import WalletMaterial
from onewindow.cases.services import OnlineCommitment
from onewindow.cases.uploads import inspect_upload
from onewindow.catalog.bundles import MergedMaterial
from onewindow.catalog.constants import MaterialSource
from onewindow.catalog.models import Bundle
from onewindow.certificates.models import Certificate
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Representation, User

#: What the file inputs offer (the browser's picker); the content check decides.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png,application/ofd"
#: Materials the applicant does not bring: the window gets them by data sharing.
SHARED_SOURCES = frozenset({MaterialSource.DEPARTMENT, MaterialSource.NOT_NEEDED})
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,24}$")
MAX_TEXT = 200
MAX_DESCRIPTION = 2000

#: 预填: the bundle form fields (by key, as the catalog names them) filled from the
#: account: the enterprise the user applies for, or the user themselves.
ENTERPRISE_PREFILL = {
    "company_name": "name",
    "employer_name": "name",
    "enterprise_name": "name",
    "uscc": "uscc",
    "employer_uscc": "uscc",
    "legal_representative": "legal_representative",
}
CONTACT_KEYS = frozenset({"contact", "contact_name", "contact_person"})
PHONE_KEYS = frozenset({"phone", "contact_phone"})


def prefill(user: User | None, applicant: Applicant | None) -> dict[str, str]:
    """The form fields' keys → the values the account already knows: the contact person
    is the user (their name), the phone theirs (else the applicant's); an enterprise
    gives its name, USCC and legal representative. Only what is known; nothing typed by
    the user is ever replaced (these are initial values)."""
    values: dict[str, str] = {}
    name = (getattr(user, "display_name", "") or "").strip()
    phone = (getattr(user, "phone", "") or "").strip()
    if not phone and applicant is not None:
        phone = (applicant.phone or "").strip()
    for key in CONTACT_KEYS:
        if name:
            values[key] = name
    for key in PHONE_KEYS:
        if phone:
            values[key] = phone
    if applicant is not None and applicant.kind == ApplicantKind.ENTERPRISE:
        for key, attribute in ENTERPRISE_PREFILL.items():
            value = (getattr(applicant, attribute, "") or "").strip()
            if value:
                values[key] = value
    return values


def size_limit_text(limit: int) -> str:
    """The upload limit as people read it: "20 MB", "512 KB"."""
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(limit / 1024))} KB"


def _labelled(label: str, message: str) -> str:
    """Every message names its field (the brief's rule): "联系人：请填写联系人"."""
    return _("{label}：{message}").format(label=label, message=message)


def _required(label: str) -> dict:
    return {"required": _labelled(label, _("此项为必填项"))}


@dataclass
class MaterialInput:
    """One line of the material list as the form shows it."""

    line: MergedMaterial
    field_name: str  # "" for a material the applicant does not bring
    bound: forms.BoundField | None = None
    #: 免提交: the applicants (by the form's choice key) whose valid certificate of the
    #: line's type will fill it at submission, with that certificate
    held: list[tuple[Applicant, Certificate]] = dataclasses.field(default_factory=list)
    #: another item of the same bundle issues it: asked of no one
    produced: bool = False
    #: every applicant the user may choose holds one: nothing to upload
    covered: bool = False
    #: the file kept for this line in the applicant's draft (申请草稿)
    kept: DraftFile | None = None

    @property
    def shared(self) -> bool:
        return self.line.source in SHARED_SOURCES

    @property
    def from_certificate(self) -> bool:
        return self.line.source == MaterialSource.CERTIFICATE

    @property
    def free(self) -> bool:
        """免提交: nothing for the applicant to bring."""
        return self.shared or self.produced or self.covered


class ApplyForm(forms.Form):
    """One online application: who applies, the form fields, the materials' files."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(
        self,
        *args,
        representations: Sequence[Representation],
        materials: Sequence[MergedMaterial],
        bundle: Bundle | None = None,
        wallet: Sequence[WalletMaterial] | None = None,
        draft: ApplicationDraft | None = None,
        user: User | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.applicants = {str(rep.applicant_id): rep.applicant for rep in representations}
        if draft is not None:
            # Back to a draft: what was typed then, then what the account knows.
            for name, value in (draft.form_data or {}).items():
                self.initial.setdefault(name, value)
            if draft.applicant_key in self.applicants:
                self.initial.setdefault("applicant", draft.applicant_key)
        applicant_label = _("申请人")
        self.fields["applicant"] = forms.ChoiceField(
            label=applicant_label,
            widget=forms.RadioSelect,
            choices=[
                (key, f"{applicant.name}（{applicant.get_kind_display()}）")
                for key, applicant in self.applicants.items()
            ],
            error_messages={
                **_required(applicant_label),
                "invalid_choice": _labelled(
                    applicant_label, _("您不能代表所选的申请人，请从列表中选择")
                ),
            },
        )
        if len(self.applicants) == 1:
            self.initial.setdefault("applicant", next(iter(self.applicants)))
        self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))
        self.bundle = bundle
        self.form_field_names: list[tuple[str, str, str]] = []  # (form name, key, type)
        if bundle is not None:
            self._add_bundle_fields(bundle.form_fields or [])
        else:
            self._add_item_fields()
        self.materials: list[MaterialInput] = []
        file_help = _("PDF、JPEG、PNG、OFD 格式，不超过 {size}").format(
            size=size_limit_text(settings.ONEWINDOW_UPLOAD_MAX_BYTES)
        )
        from_wallet = {entry.line.key: entry for entry in wallet or ()}
        for number, line in enumerate(materials, start=1):
            entry = MaterialInput(line=line, field_name="")
            found = from_wallet.get(line.key)
            if found is not None:
                entry.produced = found.produced
                entry.held = [
                    (self.applicants[str(pk)], certificate)
                    for pk, certificate in found.held.items()
                    if str(pk) in self.applicants
                ]
                entry.covered = bool(self.applicants) and len(entry.held) == len(self.applicants)
            if not entry.free:
                entry.field_name = f"material_{number}"
                self.fields[entry.field_name] = forms.FileField(
                    label=line.name,
                    required=False,
                    help_text=file_help,
                    allow_empty_file=True,  # inspect_upload says "文件为空" in our words
                    widget=forms.FileInput(attrs={"accept": ACCEPT}),
                )
            self.materials.append(entry)
        for entry in self.materials:
            if entry.field_name:
                entry.bound = self[entry.field_name]
        self._add_commitment_fields()
        self.set_draft(draft)
        self._prefill(user)

    def _add_commitment_fields(self) -> None:
        """告知承诺: the required materials the catalog lets a signed commitment replace
        (always a field, so that a choice the item does not allow is refused by name),
        the signer's name and the box that says the text was read and agreed."""
        committed = _("以告知承诺代替的材料")
        self.fields["committed"] = forms.MultipleChoiceField(
            label=committed,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[
                (entry.line.key, entry.line.name)
                for entry in self.materials
                if entry.field_name and entry.line.required and entry.line.commitment_allowed
            ],
            error_messages={
                "invalid_choice": _labelled(committed, _("所选材料不适用告知承诺")),
            },
        )
        signer = _("承诺人签名")
        self.fields["commitment_signed_name"] = forms.CharField(
            label=signer,
            required=False,
            max_length=100,
            help_text=gettext_lazy("请输入承诺人（法定代表人或申请人本人）的姓名，作为签名"),
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            error_messages={"max_length": _labelled(signer, _("不能超过 %(limit_value)d 个字"))},
        )
        self.fields["commitment_agreed"] = forms.BooleanField(
            label=gettext_lazy(
                "我已阅读上述告知承诺书全文，承诺所述属实，愿意承担不实承诺的法律责任"
            ),
            required=False,
        )

    @property
    def offers_commitment(self) -> bool:
        return bool(self.fields["committed"].choices)

    def _prefill(self, user: User | None) -> None:
        """Initial values from the account (``prefill``) for the fields still empty: an
        applicant's own facts only once the applicant is known (the only one the user
        represents, or the one chosen in the draft)."""
        applicant = self.applicants.get(str(self.initial.get("applicant", "")))
        known = prefill(user, applicant)
        for name, key, _kind in self.form_field_names:
            if key in known and not self.initial.get(name):
                self.initial[name] = known[key]

    def set_draft(self, draft: ApplicationDraft | None) -> None:
        """Show the files kept in ``draft`` beside their materials."""
        self.draft = draft
        kept = {row.merge_key: row for row in draft.files.all()} if draft is not None else {}
        for entry in self.materials:
            entry.kept = kept.get(entry.line.key) if entry.field_name else None

    def kept_count(self) -> int:
        return sum(1 for entry in self.materials if entry.kept is not None)

    # -- building ------------------------------------------------------------------------

    def _add_item_fields(self) -> None:
        contact, phone, description = _("联系人"), _("联系电话"), _("申请事项说明")
        self.fields["contact"] = forms.CharField(
            label=contact,
            max_length=MAX_TEXT,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            error_messages={
                **_required(contact),
                "max_length": _labelled(contact, _("不能超过 %(limit_value)d 个字")),
            },
        )
        self.fields["phone"] = forms.CharField(
            label=phone,
            max_length=30,
            help_text=gettext_lazy("手机或固定电话，如 13800000000、025-80000000"),
            widget=forms.TextInput(
                attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
            ),
            error_messages={
                **_required(phone),
                "max_length": _labelled(phone, _("不能超过 %(limit_value)d 个字符")),
            },
        )
        self.fields["description"] = forms.CharField(
            label=description,
            required=False,
            max_length=MAX_DESCRIPTION,
            help_text=gettext_lazy("选填：说明申请的具体内容、需要窗口注意的情况"),
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={
                "max_length": _labelled(description, _("不能超过 %(limit_value)d 个字")),
            },
        )
        self.form_field_names = [
            ("contact", "contact", "text"),
            ("phone", "phone", "text"),
            ("description", "description", "textarea"),
        ]

    def _add_bundle_fields(self, form_fields: Sequence[dict]) -> None:
        for spec in form_fields:
            key, label = spec["key"], spec["label"]
            kind = spec.get("type") or "text"
            required = bool(spec.get("required"))
            name = f"form_{key}"
            messages = _required(label)
            if kind == "textarea":
                field = forms.CharField(
                    max_length=MAX_DESCRIPTION,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={
                        **messages,
                        "max_length": _labelled(label, _("不能超过 %(limit_value)d 个字")),
                    },
                )
            elif kind == "number":
                field = forms.DecimalField(
                    max_digits=18,
                    decimal_places=4,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                    error_messages={
                        **messages,
                        "invalid": _labelled(label, _("请填写数字")),
                        "max_digits": _labelled(label, _("数字过大")),
                        "max_decimal_places": _labelled(label, _("最多 4 位小数")),
                        "max_whole_digits": _labelled(label, _("数字过大")),
                    },
                )
            elif kind == "date":
                field = forms.DateField(
                    input_formats=["%Y-%m-%d"],
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                    error_messages={
                        **messages,
                        "invalid": _labelled(label, _("格式应为 YYYY-MM-DD，例如 2026-03-02")),
                    },
                )
            elif kind == "select":
                options = spec.get("options") or []
                field = forms.ChoiceField(
                    choices=[("", _("请选择")), *((option, option) for option in options)],
                    error_messages={
                        **messages,
                        "invalid_choice": _labelled(label, _("请从列表中选择")),
                    },
                )
            else:
                field = forms.CharField(
                    max_length=MAX_TEXT,
                    error_messages={
                        **messages,
                        "max_length": _labelled(label, _("不能超过 %(limit_value)d 个字")),
                    },
                )
            field.label = label
            field.required = required
            self.fields[name] = field
            self.form_field_names.append((name, key, kind))

    # -- reading -------------------------------------------------------------------------

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(value):
            raise forms.ValidationError(
                _labelled(_("联系电话"), _("请填写有效的电话号码，如 13800000000 或 025-80000000"))
            )
        return value

    def clean_commitment_signed_name(self) -> str:
        return " ".join(
            unicodedata.normalize("NFKC", self.cleaned_data["commitment_signed_name"]).split()
        )

    def _clean_commitment(self, cleaned: dict) -> None:
        chosen = cleaned.get("committed") or []
        if not chosen:
            return
        if (
            not cleaned.get("commitment_signed_name")
            and "commitment_signed_name" not in self.errors
        ):
            self.add_error(
                "commitment_signed_name", _labelled(_("承诺人签名"), _("请输入承诺人姓名"))
            )
        if not cleaned.get("commitment_agreed"):
            self.add_error(
                "commitment_agreed", _labelled(_("同意承诺"), _("请阅读承诺书全文并勾选同意"))
            )
        given = {entry.line.key: entry for entry in self.materials if entry.field_name}
        for key in chosen:
            entry = given[key]
            if cleaned.get(entry.field_name) is not None or entry.kept is not None:
                self.add_error(
                    "committed",
                    _labelled(
                        _("以告知承诺代替的材料"),
                        _("“{name}”已上传文件：请移除文件或取消承诺").format(name=entry.line.name),
                    ),
                )

    def commitment(self, *, ip_address: str | None = None) -> OnlineCommitment | None:
        """The 告知承诺 chosen (valid form), or None."""
        chosen = self.cleaned_data.get("committed") or []
        if not chosen:
            return None
        return OnlineCommitment(
            merge_keys=tuple(chosen),
            signed_name=self.cleaned_data.get("commitment_signed_name", ""),
            agreed=bool(self.cleaned_data.get("commitment_agreed")),
            ip_address=ip_address,
        )

    def clean(self):
        cleaned = super().clean()
        self._clean_commitment(cleaned)
        # Every file is checked by its bytes now, before anything is created.
        for entry in self.materials:
            uploaded = cleaned.get(entry.field_name) if entry.field_name else None
            if uploaded is None:
                continue
            try:
                inspect_upload(uploaded)
            except ValidationFailed as error:
                for message in error.fields.get("file") or [error.message]:
                    self.add_error(entry.field_name, _labelled(entry.line.name, message))
        return cleaned

    @property
    def applicant(self) -> Applicant:
        return self.applicants[self.cleaned_data["applicant"]]

    def form_data(self) -> dict[str, str]:
        """The application form as the case stores it (JSON: strings only)."""
        data: dict[str, str] = {}
        for name, key, kind in self.form_field_names:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if kind == "date":
                data[key] = value.isoformat()
            elif kind == "number":
                data[key] = format(value.normalize(), "f")
            else:
                data[key] = str(value).strip()
        return data

    def uploads(self) -> Iterator[tuple[MaterialInput, UploadedFile]]:
        for entry in self.materials:
            if entry.field_name and self.cleaned_data.get(entry.field_name) is not None:
                yield entry, self.cleaned_data[entry.field_name]

    def has_files(self) -> bool:
        return any(entry.field_name in self.files for entry in self.materials if entry.field_name)

    def valid_uploads(self) -> Iterator[tuple[MaterialInput, UploadedFile]]:
        """The files that passed their check, even when other fields failed (to keep them
        in the draft)."""
        cleaned = getattr(self, "cleaned_data", {})
        for entry in self.materials:
            if entry.field_name and entry.field_name not in self.errors:
                uploaded = cleaned.get(entry.field_name)
                if uploaded is not None:
                    yield entry, uploaded

    def typed_values(self) -> dict[str, str | list[str]]:
        """What the user typed in the text fields and chose for 告知承诺, as given (kept
        in the draft; the box "agreed" is ticked again at each submission)."""
        values: dict[str, str | list[str]] = {
            name: self.data.get(name, "")
            for name, _key, _kind in [*self.form_field_names, ("commitment_signed_name", "", "")]
            if self.data.get(name, "")
        }
        committed = [key for key in self.data.getlist("committed") if key]
        if committed:
            values["committed"] = committed
        return values

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _key, _kind in self.form_field_names]


class MaterialUploadForm(forms.Form):
    """One file for one material of a case (a supplement or a re-upload)."""

    file = forms.FileField(
        label=gettext_lazy("选择文件"),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, material_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.material_name = material_name
        self.fields["file"].error_messages = {
            "required": _labelled(material_name, _("请选择要上传的文件")),
            "invalid": _labelled(material_name, _("未收到文件，请重新选择")),
            "missing": _labelled(material_name, _("未收到文件，请重新选择")),
        }

    def add_service_error(self, error: ApplicationError) -> None:
        for message in error.fields.get("file") or [error.message]:
            self.add_error("file", _labelled(self.material_name, message))


class TrackForm(forms.Form):
    """The public progress lookup: the case number and its query code.

    Only an empty field is refused here (named, whatever the case); anything else typed —
    too long, malformed, full-width, any script — goes to the lookup, which answers a wrong
    number and a wrong code alike (``selectors.public_progress``)."""

    number = forms.CharField(
        label=gettext_lazy("办件编号"),
        help_text=gettext_lazy("如 SFQ-2026-0000123，见受理回执或申请提交后的页面"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "maxlength": 32,
            }
        ),
    )
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        help_text=gettext_lazy("8 位字母或数字，与办件编号一同发给申请人"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "maxlength": 12,
            }
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("number", "code"):
            label = str(self.fields[name].label)
            self.fields[name].error_messages = {
                "required": _labelled(label, _("请填写{label}").format(label=label)),
            }

    def clean_number(self) -> str:
        return fold_code(self.cleaned_data["number"])

    def clean_code(self) -> str:
        return fold_code(self.cleaned_data["code"])
