"""Signed checkpoints of the audit chain (ADR 0004): written every N links with a zone's
Ed25519 key, exported, and checked by ``audit-verify``: a forged checkpoint, a checkpoint
signed by an unknown key, and a chain rewritten below a checkpoint are all reported."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from onewindow.certificates.keys import key_generate
from onewindow.certificates.signing import sign
from onewindow.core.audit import (
    ExternalCheckpoint,
    audit_append,
    audit_chain_run,
    audit_checkpoint_write,
    audit_verify,
    checkpoint_export,
    checkpoint_payload,
    compute_hash,
)
from onewindow.core.models import AuditChainHead, AuditCheckpoint, AuditLink
from onewindow.core.tests.test_audit import append_only_lifted
from onewindow.testing.audit import chain_everything

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signing_key(zone):
    return key_generate(zone=zone)


def append(count: int) -> None:
    for index in range(count):
        audit_append(action="test.checkpoint", data={"n": index})
    chain_everything()


def exported(tmp_path, checkpoint: AuditCheckpoint | dict, name="checkpoint.json"):
    document = checkpoint if isinstance(checkpoint, dict) else checkpoint_export(checkpoint)
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def rewrite_from(sequence: int, data: dict, *, drop_checkpoints: bool = False) -> None:
    """Alter the event of link ``sequence`` and recompute every link after it and the head,
    as an intruder with superuser rights would; optionally remove the stored checkpoints."""
    with append_only_lifted() as cursor:
        chain = list(AuditLink.objects.filter(sequence__gte=sequence).select_related("event"))
        cursor.execute(
            "UPDATE core_auditevent SET data = %s WHERE id = %s",
            [json.dumps(data), chain[0].event_id],
        )
        chain[0].event.data = data
        previous = chain[0].previous_hash
        for link in chain:
            forged = compute_hash(previous, link.event, link.sequence)
            cursor.execute(
                "UPDATE core_auditlink SET previous_hash = %s, hash = %s WHERE sequence = %s",
                [previous, forged, link.sequence],
            )
            previous = forged
        cursor.execute("UPDATE core_auditchainhead SET hash = %s WHERE id = 1", [previous])
        if drop_checkpoints:
            cursor.execute("DELETE FROM core_auditcheckpoint")


def test_the_chainer_signs_a_checkpoint_every_n_links(settings, signing_key):
    settings.ONEWINDOW_AUDIT_CHECKPOINT_EVERY = 4
    chain_everything()
    already = AuditLink.objects.count()  # generating the key is an audited change
    append(4 - already - 1)
    audit_chain_run()
    assert not AuditCheckpoint.objects.exists()

    append(1)
    audit_chain_run()

    checkpoint = AuditCheckpoint.objects.get()
    head = AuditChainHead.objects.get()
    assert (checkpoint.sequence, checkpoint.hash) == (head.sequence, head.hash)
    assert (checkpoint.sequence, checkpoint.hash) == (4, AuditLink.objects.get(sequence=4).hash)
    assert checkpoint.key_id == signing_key.key_id
    assert ExternalCheckpoint.parse(checkpoint_export(checkpoint)).signature_valid()
    result = audit_verify()
    assert result.ok and result.checkpoints == 1


def test_no_checkpoint_without_a_signing_key(settings):
    settings.ONEWINDOW_AUDIT_CHECKPOINT_EVERY = 1
    append(2)
    audit_chain_run()
    assert audit_checkpoint_write() is None
    assert not AuditCheckpoint.objects.exists()
    with pytest.raises(CommandError, match="签名密钥"):
        call_command("audit_checkpoint")


def test_checkpoints_are_insert_only(signing_key):
    append(2)
    checkpoint = audit_checkpoint_write()
    with pytest.raises(TypeError, match="append-only"):
        checkpoint.save()
    with pytest.raises(TypeError, match="append-only"):
        AuditCheckpoint.objects.all().delete()


def test_export_then_verify_against_the_file(tmp_path, capsys, signing_key):
    append(3)
    path = tmp_path / "checkpoint.json"

    call_command("audit_checkpoint", export=str(path))
    append(2)  # the chain grows after the checkpoint
    call_command("audit_verify", checkpoint=str(path))

    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["sequence"] == 4 and document["key_id"] == signing_key.key_id
    assert "审计链完整：已校验 6 条事件" in capsys.readouterr().out


def test_a_forged_checkpoint_is_reported(tmp_path, signing_key):
    append(3)
    document = checkpoint_export(audit_checkpoint_write())
    document["hash"] = "f" * 64  # the intruder's chain, with the old signature

    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", checkpoint=str(exported(tmp_path, document)))

    assert caught.value.returncode == 1
    assert "signature is not valid" in str(caught.value)


def test_a_checkpoint_signed_by_a_key_the_installation_does_not_know_is_reported(
    tmp_path, signing_key
):
    append(3)
    head = AuditChainHead.objects.get()
    document = checkpoint_export(audit_checkpoint_write())
    payload = checkpoint_payload(
        head.sequence, head.hash, ExternalCheckpoint.parse(document).created_at
    )
    document["signature"] = sign(Ed25519PrivateKey.generate(), payload)

    result = audit_verify(checkpoint=ExternalCheckpoint.parse(document))

    assert not result.ok and "signature" in result.first_break.reason


def test_a_chain_rewritten_below_a_stored_checkpoint_is_reported(signing_key):
    append(4)
    audit_checkpoint_write()  # at #5 (the key's generation is #1)
    rewrite_from(2, {"n": "篡改"})

    result = audit_verify()

    assert not result.ok
    assert result.first_break.sequence == 5
    assert "signed checkpoint" in result.first_break.reason


def test_a_chain_rewritten_below_an_exported_checkpoint_is_reported(tmp_path, signing_key):
    # given a checkpoint kept outside the database
    append(4)
    path = exported(tmp_path, audit_checkpoint_write())  # at #5
    append(1)
    # when the intruder rewrites the chain from #2 on, the head, and removes the stored
    # checkpoints: the database alone cannot tell
    rewrite_from(2, {"n": "篡改"}, drop_checkpoints=True)
    assert audit_verify().ok

    # then the copy kept outside does
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", checkpoint=str(path))
    assert "第 5 条事件" in str(caught.value)
    assert "checkpoint file" in str(caught.value)


def test_a_chain_cut_below_an_exported_checkpoint_is_reported(tmp_path, signing_key):
    append(2)
    document = checkpoint_export(audit_checkpoint_write())  # at #3
    document_path = exported(tmp_path, document)
    with append_only_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditcheckpoint")
        cursor.execute("DELETE FROM core_auditchainhead")
        cursor.execute("DELETE FROM core_auditlink WHERE sequence = 3")

    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", checkpoint=str(document_path))
    assert "chain ends at #2" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "onewindow-audit-checkpoint/1"}),
        json.dumps(
            {
                "format": "onewindow-audit-checkpoint/1",
                "sequence": 1,
                "hash": "0" * 64,
                "created_at": 20261207,
                "key_id": "k",
                "signature": "s",
            }
        ),
        json.dumps({"format": "onewindow-audit-checkpoint/1", "sequence": True}),
    ],
)
def test_an_unreadable_checkpoint_file_is_refused(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="检查点文件"):
        call_command("audit_verify", checkpoint=str(path))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("audit_verify", checkpoint=str(tmp_path / "missing.json"))
