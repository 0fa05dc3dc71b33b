"""Copy the in-app messages from ``cases.Notification`` to ``core.Notification``
(docs/decisions/0021-notifications.md): the case becomes the subject ``("case", number)``
and the link its page, the task the dedup key ``task:<id>:<kind>`` (as
``cases.notifications.task_key``), so a reminder already sent is not sent again."""

from django.db import migrations
from django.urls import NoReverseMatch, reverse

BATCH = 1000
CASE_OBJECT_TYPE = "case"


def _case_link(number: str) -> str:
    try:
        return reverse("cases:case", args=[number])
    except NoReverseMatch:
        return ""


def copy_to_core(apps, schema_editor):
    old_model = apps.get_model("cases", "Notification")
    new_model = apps.get_model("core", "Notification")
    batch = []
    rows = old_model.objects.select_related("case").order_by("pk")
    for row in rows.iterator(chunk_size=BATCH):
        number = row.case.number if row.case_id is not None else ""
        batch.append(
            new_model(
                recipient_id=row.recipient_id,
                kind=row.kind,
                text=row.text,
                link=_case_link(number) if number else "",
                subject_type=CASE_OBJECT_TYPE if number else "",
                subject_id=number,
                key=f"task:{row.task_id}:{row.kind}" if row.task_id is not None else "",
                created_at=row.created_at,
                read_at=row.read_at,
            )
        )
        if len(batch) >= BATCH:
            new_model.objects.bulk_create(batch)
            batch = []
    new_model.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    old_model = apps.get_model("cases", "Notification")
    new_model = apps.get_model("core", "Notification")
    case_model = apps.get_model("cases", "Case")
    task_model = apps.get_model("cases", "Task")
    batch = []
    for row in new_model.objects.order_by("pk").iterator(chunk_size=BATCH):
        case_id = None
        if row.subject_type == CASE_OBJECT_TYPE and row.subject_id:
            case_id = (
                case_model.objects.filter(number=row.subject_id)
                .values_list("pk", flat=True)
                .first()
            )
        task_id = None
        if row.key and row.key.startswith("task:"):
            candidate = row.key.split(":")[1]
            if candidate.isdigit() and task_model.objects.filter(pk=int(candidate)).exists():
                task_id = int(candidate)
        batch.append(
            old_model(
                recipient_id=row.recipient_id,
                case_id=case_id,
                task_id=task_id,
                kind=row.kind,
                text=row.text,
                read_at=row.read_at,
            )
        )
    created = old_model.objects.bulk_create(batch)
    # auto_now_add stamped them now: put each creation time back.
    stamps = new_model.objects.order_by("pk").values_list("created_at", flat=True)
    for notification, created_at in zip(created, stamps, strict=True):
        old_model.objects.filter(pk=notification.pk).update(created_at=created_at)
    new_model.objects.all().delete()  # forward again copies them once more


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_active_partial_indexes"),
        ("core", "0005_notification"),
    ]

    operations = [migrations.RunPython(copy_to_core, copy_back)]
