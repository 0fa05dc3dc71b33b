"""Case test data, built through the services (every row passed the real checks).

``World`` is a small zone with everything a case needs::

    world = make_world(zone, department, other_department, window)
    case = world.submit()                                  # 承诺件, online, submitted
    case = world.accepted()                                # accepted, review task open
    case = world.submit(world.parallel)                    # two departments review in parallel
    parent = world.submit(bundle=world.bundle)             # 一件事: parent + 2 children

Uploads are real files (a tiny PDF) so the content checks run.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.constants import MaterialState, TaskStatus
from onewindow.cases.models import Case, Task
from onewindow.cases.services import (
    case_accept,
    case_create,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.catalog.constants import StepKind, StepRole
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.tests.factories import make_bundle, make_item, material, uscc_for
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Applicant, Department, User, Window, Zone
from onewindow.org.services import applicant_register
from onewindow.testing.worlds import applicant_user as make_applicant_user
from onewindow.testing.worlds import staff

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def parallel_steps() -> list[dict]:
    """受理 → (审查 A ∥ 审查 B in another department) → 决定 → 送达."""
    return [
        {"key": "accept", "name": "受理", "kind": StepKind.ACCEPTANCE,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1},
        {"key": "review", "name": "审查", "kind": StepKind.REVIEW,
         "role": StepRole.REVIEWER, "limit_days": 5, "after": ["accept"]},
        {"key": "inspect", "name": "现场核查", "kind": StepKind.INSPECTION,
         "role": StepRole.REVIEWER, "limit_days": 5, "after": ["accept"], "department": None},
        {"key": "decide", "name": "决定", "kind": StepKind.DECISION,
         "role": StepRole.DECIDER, "limit_days": 2, "after": ["review", "inspect"]},
        {"key": "deliver", "name": "送达", "kind": StepKind.DELIVERY,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1, "after": ["decide"]},
    ]  # fmt: skip


@dataclass
class World:
    zone: Zone
    department: Department
    other_department: Department
    window: Window
    clerk: User
    reviewer: User
    reviewer2: User
    decider: User
    other_reviewer: User
    other_decider: User
    supervisor: User
    regulator: User
    analyst: User
    applicant_user: User
    stranger: User
    applicant: Applicant
    other_applicant: Applicant
    item: ItemVersion
    parallel: ItemVersion
    immediate: ItemVersion
    other_item: ItemVersion
    bundle: Bundle

    def submit(
        self,
        item: ItemVersion | None = None,
        *,
        bundle: Bundle | None = None,
        upload: bool = True,
        actor: User | None = None,
        skip: tuple[str, ...] = (),
    ) -> Case:
        """An online application, submitted, with every material uploaded but ``skip``."""
        if bundle is None and item is None:
            item = self.item
        case = case_create(
            actor=actor or self.applicant_user,
            applicant=self.applicant,
            item_version=item,
            bundle=bundle,
            form_data={"contact": "张三", "phone": "13800000000"},
        )
        if upload:
            for row in case.materials.all():
                if row.state == MaterialState.MISSING and row.name not in skip:
                    material_upload(
                        case=case,
                        material_id=row.pk,
                        uploaded=pdf_upload(),
                        actor=actor or self.applicant_user,
                    )
        return Case.objects.get(pk=case.pk)

    def accepted(self, item: ItemVersion | None = None, **accept) -> Case:
        case = self.submit(item)
        case_accept(case=case, actor=self.clerk, **accept)
        return Case.objects.get(pk=case.pk)

    def task(self, case: Case, step_key: str, *, status=(TaskStatus.OPEN, TaskStatus.CLAIMED)):
        return Task.objects.get(case=case, step_key=step_key, status__in=status)

    def decided(self, item: ItemVersion | None = None) -> Case:
        case = self.accepted(item)
        review = self.task(case, "review")
        task_claim(task=review, actor=self.reviewer)
        task_complete(task=review, actor=self.reviewer, comment="材料齐全，符合条件")
        task_decide(task=self.task(case, "decide"), actor=self.decider, decision="approved")
        return Case.objects.get(pk=case.pk)


def _staff(zone, username, role, department=None) -> User:
    return staff(zone, role, username=username, department=department)


def make_world(zone, department, other_department, window) -> World:
    clerk = staff(zone, Role.WINDOW_CLERK, username="w_clerk", display_name="窗口王", window=window)
    applicant_user = make_applicant_user(zone, "w_applicant")
    applicant = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范科技有限公司",
        uscc=uscc_for(8101, registration="91"),
        legal_representative="李四",
        phone="13900000000",
        user=applicant_user,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
    )
    other_applicant = applicant_register(
        kind=ApplicantKind.ENTERPRISE, name="别家有限公司", uscc=uscc_for(8102, registration="91")
    )
    stranger = make_applicant_user(zone, "w_stranger")
    materials = [
        material("申请表"),
        material("营业场所证明", tolerable=True),
        material("安全管理制度", commitment_allowed=True),
        material("情况说明", required=False),
    ]
    item = make_item(zone, department, name="食品经营许可", materials=materials,
                     promised_limit_days=10, legal_limit_days=20)  # fmt: skip
    steps = parallel_steps()
    steps[2]["department"] = other_department
    parallel = make_item(zone, department, name="建设工程消防验收", materials=["申请表"],
                         promised_limit_days=10, legal_limit_days=20, steps=steps)  # fmt: skip
    immediate = make_item(zone, department, name="个体工商户名称变更", materials=["申请表"],
                          handling_kind="immediate")  # fmt: skip
    other_item = make_item(zone, other_department, name="施工许可",
                           materials=["申请表", "施工合同"], promised_limit_days=8)  # fmt: skip
    bundle = make_bundle(zone, department, items=[item.item, other_item.item],
                         promised_limit_days=15, publish=True)  # fmt: skip
    return World(
        zone=zone,
        department=department,
        other_department=other_department,
        window=window,
        clerk=clerk,
        reviewer=_staff(zone, "w_reviewer", Role.REVIEWER, department),
        reviewer2=_staff(zone, "w_reviewer2", Role.REVIEWER, department),
        decider=_staff(zone, "w_decider", Role.DECIDER, department),
        other_reviewer=_staff(zone, "w_other_reviewer", Role.REVIEWER, other_department),
        other_decider=_staff(zone, "w_other_decider", Role.DECIDER, other_department),
        supervisor=_staff(zone, "w_supervisor", Role.SUPERVISOR),
        regulator=_staff(zone, "w_regulator", Role.REGULATOR, department),
        analyst=_staff(zone, "w_analyst", Role.ANALYST),
        applicant_user=applicant_user,
        stranger=stranger,
        applicant=applicant,
        other_applicant=other_applicant,
        item=item,
        parallel=parallel,
        immediate=immediate,
        other_item=other_item,
        bundle=bundle,
    )
