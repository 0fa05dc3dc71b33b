"""Import of enterprise facts (一企一档) from an Excel file, all rows or none.

``facts_import`` is the use-case behind the import page: a policy officer or the zone's
administrator uploads a workbook in the layout of ``policies.profile_workbook``. Like the
catalog's import (``catalog.excel``), it works in two passes and writes nothing unless the
whole file is right:

1. Read and check every row: each cell folded (NFKC); the enterprise found by its
   统一社会信用代码 among the enterprises of the importer's zone (an unknown code, a code
   given twice, a missing or future 数据截至日期 are row errors); every value validated by
   ``profile.validate_facts`` (the rules of the profile page and the API). Every problem is
   collected as a :class:`RowError` (Excel row, column header, Chinese message), so the
   officer fixes the whole file in one go.
2. Only when there is no error: one transaction, the enterprises locked in id order
   (``profile.lock_enterprises``), each row written by ``profile.apply_facts`` with the
   source 导入 and the file name as source detail (each changed enterprise gets its own
   audit event there), one ``facts_changed`` after the commit for all changed enterprises,
   and one audit event for the import.

An empty cell means "not given": the fact is left as it is (to clear a fact, use the
enterprise's page or the API). The whole file is refused, naming the ``file`` field, when it
is not an .xlsx workbook, is empty, is larger than 5 MB or has more than 5,000 rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from onewindow.core.audit.events import audit_append
from onewindow.core.errors import ApplicationError, Forbidden, ValidationFailed
from onewindow.core.identifiers import validate_uscc
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Park, User
from onewindow.policies import permissions
from onewindow.policies.constants import Event
from onewindow.policies.models import FactSource
from onewindow.policies.profile_values import fold, parse_date
from onewindow.policies.profile_workbook import AS_OF_HEADER, EXAMPLE_MARK, USCC_HEADER, headers
from onewindow.policies.services.profile import (
    apply_facts,
    lock_enterprises,
    send_facts_changed,
    validate_facts,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FILE_FIELD = "file"
SOURCE_DETAIL_LENGTH = 200
OBJECT_TYPE = "facts_file"
USCC, AS_OF = "uscc", "as_of"


@dataclass(frozen=True)
class RowError:
    """One problem of the file: the Excel row (1 is the header), the column's header as the
    file has it, and what is wrong."""

    row: int
    column: str
    message: str


@dataclass
class FactsImport:
    """What an import did: every problem when nothing was written; otherwise the counts and
    the enterprises whose facts changed."""

    file_name: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    changed: list[Applicant] = field(default_factory=list)
    facts_changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # column key (uscc, as_of or a fact name) → folded text


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.for_field(
        FILE_FIELD, _("文件：%(message)s") % {"message": message}, code="bad_file"
    )


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    return size


def _check_file(file: IO[bytes], file_name: str) -> None:
    name = file_name.lower()
    if name.endswith(".xls"):
        raise _refuse(_("不支持 Excel 97–2003 的 .xls 文件，请另存为 .xlsx 后再导入。"))
    if not name.endswith(".xlsx"):
        raise _refuse(_("只能导入 .xlsx 格式的 Excel 文件。"))
    size = _size(file)
    if size == 0:
        raise _refuse(_("文件是空的。"))
    if size > MAX_BYTES:
        raise _refuse(
            _("文件过大（%(size).1f MB），不能超过 %(max)s MB。")
            % {"size": size / 1024 / 1024, "max": MAX_BYTES // (1024 * 1024)}
        )


def _cell_text(value: Any) -> str:
    """A cell as folded text: dates as ISO days, whole numbers without ".0", other numbers
    to Excel's 15 significant digits (so 0.1 + 0.2 is read as 0.3)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return fold(value)


def _header(
    values: tuple[Any, ...], errors: list[RowError]
) -> tuple[dict[int, str], dict[str, str]]:
    """Column position → key, and key → the header as the file spells it; unknown,
    derived, repeated and missing columns reported."""
    known = headers()
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, raw in enumerate(values):
        text = _cell_text(raw)
        if not text:
            continue
        spelled = str(raw).strip()
        if text == USCC_HEADER:
            key = USCC
        elif text == AS_OF_HEADER:
            key = AS_OF
        elif text in known.derived:
            errors.append(RowError(1, spelled, _("由其他事实推算得出，不能导入；请删除此列。")))
            continue
        elif text in known.facts:
            key = known.facts[text]
        else:
            errors.append(
                RowError(1, spelled, _("不是企业档案的列（列名应与导入模板的表头一致）。"))
            )
            continue
        if key in seen:
            errors.append(RowError(1, spelled, _("与“%(first)s”列重复。") % {"first": seen[key]}))
            continue
        seen[key] = spelled
        positions[index] = key
    for key, header in ((USCC, USCC_HEADER), (AS_OF, AS_OF_HEADER)):
        if key not in seen:
            errors.append(RowError(1, header, _("缺少此列。")))
    if not errors and len(seen) == 2:
        errors.append(RowError(1, "", _("没有企业档案事实的列。")))
    return positions, seen


def _read(file: IO[bytes]) -> tuple[dict[str, str], list[_Row], list[RowError]]:
    """Pass 1a: the header (key → header text) and the non-blank rows of the first sheet."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise _refuse(_("不是有效的 .xlsx 文件（无法作为 Excel 工作簿打开）。")) from None
    errors: list[RowError] = []
    rows: list[_Row] = []
    try:
        if not workbook.worksheets:
            raise _refuse(_("工作簿中没有工作表。"))
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        positions, spelled = _header(next(lines, ()), errors)
        if errors:
            return {}, [], errors
        for number, values in enumerate(lines, start=2):
            cells = {
                key: _cell_text(values[index]) if index < len(values) else ""
                for index, key in positions.items()
            }
            if not any(cells.values()) or cells[USCC].startswith(EXAMPLE_MARK):
                continue
            if len(rows) == MAX_ROWS:
                raise _refuse(_("超过 %(max)s 行，请分成几个文件导入。") % {"max": MAX_ROWS})
            rows.append(_Row(number, cells))
    except ApplicationError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise _refuse(_("不是有效的 .xlsx 文件（无法读取工作表）。")) from None
    finally:
        workbook.close()
    if not rows:
        raise _refuse(_("没有数据行（第 2 行起每家企业一行）。"))
    return spelled, rows, errors


def _zone_enterprises(zone_id: int, codes: set[str]) -> dict[str, Applicant]:
    """The zone's enterprises (its parks' and those its windows registered) by USCC."""
    found = (
        Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE, uscc__in=codes)
        .filter(Q(park__zone_id=zone_id) | Q(registered_zones__pk=zone_id))
        .distinct()
    )
    return {enterprise.uscc: enterprise for enterprise in found}


def _uscc(text: str) -> str:
    try:
        return validate_uscc(text, field=USCC)
    except ValidationFailed as error:
        return "!" + error.message


@dataclass
class _Checked:
    enterprise: Applicant
    as_of: dt.date
    encoded: dict[str, Any]


def _check_rows(
    zone_id: int, rows: list[_Row], headers_by_key: dict[str, str], errors: list[RowError]
) -> list[_Checked]:
    """Pass 1b: every row's enterprise, day and values; problems appended to ``errors``."""
    codes = {row.number: _uscc(row.cells[USCC]) for row in rows}
    enterprises = _zone_enterprises(zone_id, {c for c in codes.values() if not c.startswith("!")})
    park_codes = set(Park.objects.filter(zone_id=zone_id).values_list("code", flat=True))
    today = timezone.localdate()
    first_row: dict[str, int] = {}
    checked: list[_Checked] = []
    for row in rows:
        problems: list[RowError] = []

        def problem(key: str, message: str, row=row, problems=problems) -> None:
            problems.append(RowError(row.number, headers_by_key.get(key, key), message))

        code = codes[row.number]
        enterprise = None
        if not row.cells[USCC]:
            problem(USCC, _("不能为空。"))
        elif code.startswith("!"):
            problem(USCC, code[1:])
        elif code in first_row:
            problem(USCC, _("与第 %(row)s 行重复。") % {"row": first_row[code]})
        else:
            first_row[code] = row.number
            enterprise = enterprises.get(code)
            if enterprise is None:
                problem(USCC, _("“%(code)s”不是本区的企业。") % {"code": code})
        as_of = parse_date(row.cells[AS_OF]) if row.cells[AS_OF] else None
        if not row.cells[AS_OF]:
            problem(AS_OF, _("不能为空。"))
        elif as_of is None:
            problem(
                AS_OF, _("“%(value)s”不是有效日期（如 2025-12-31）。") % {"value": row.cells[AS_OF]}
            )
        elif as_of > today:
            problem(AS_OF, _("不能晚于今天。"))
        facts = {key: text for key, text in row.cells.items() if key not in (USCC, AS_OF) and text}
        encoded: dict[str, Any] = {}
        if not facts:
            problem(USCC, _("本行没有填写任何企业档案事实。"))
        else:
            try:
                encoded = validate_facts(enterprise, facts, park_codes=park_codes)
            except ValidationFailed as error:
                for name, messages in error.fields.items():
                    for message in messages:
                        problem(name, str(message))
        errors.extend(problems)
        if not problems:
            checked.append(_Checked(enterprise, as_of, encoded))
    return checked


def facts_import(*, actor: User, file: IO[bytes], file_name: str) -> FactsImport:
    """Import the enterprise facts of an uploaded workbook into the actor's zone.

    ``Forbidden`` for anyone but a policy officer or the administrator of a zone;
    ``ValidationFailed`` on the ``file`` field when the file as a whole is refused; a
    report with every row error when a row is wrong (nothing written), else the counts.
    """
    if not permissions.can_import_facts(actor):
        raise Forbidden(_("只有政策专员和本区管理员可以导入企业档案。"), code="facts_forbidden")
    name = fold(file_name or "")
    _check_file(file, name)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    spelled, rows, errors = _read(file)
    report = FactsImport(file_name=name, rows=len(rows), errors=errors)
    if errors:
        return report
    checked = _check_rows(actor.zone_id, rows, spelled, report.errors)
    if report.errors:
        return report
    _write(actor, checked, report, digest)
    return report


@transaction.atomic
def _write(actor: User, checked: list[_Checked], report: FactsImport, digest: str) -> None:
    """Pass 2: every row, under the enterprises' locks (in id order), one event at the end."""
    source_detail = report.file_name[:SOURCE_DETAIL_LENGTH]
    locked = lock_enterprises(row.enterprise.pk for row in checked)
    names: set[str] = set()
    changed: list[Applicant] = []
    for row in checked:
        result = apply_facts(
            actor,
            locked[row.enterprise.pk],
            row.encoded,
            source=FactSource.IMPORTED,
            source_detail=source_detail,
            as_of=row.as_of,
        )
        if result.changed:
            changed.append(result.enterprise)
            names.update(result.changed)
            report.facts_changed += len(result.changed)
    report.changed = sorted(changed, key=lambda enterprise: enterprise.uscc)
    send_facts_changed((e.pk for e in changed), names, FactSource.IMPORTED)
    audit_append(
        action=Event.FACTS_IMPORTED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=OBJECT_TYPE,
        object_id=digest,
        data={
            "file": source_detail,
            "sha256": digest,
            "zone_id": actor.zone_id,
            "rows": report.rows,
            "enterprises_changed": len(changed),
            "facts_changed": report.facts_changed,
        },
    )
