"""The read-replica router (``core.replica``, ADR 0031): reads marked ``replica_reads()`` go to
the replica when there is one; every write goes to the primary."""

from __future__ import annotations

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS

from onewindow.core.replica import (
    REPLICA_ALIAS,
    ReplicaRouter,
    configured_replica,
    read_alias,
    replica_reads,
)
from onewindow.org.models import Zone

router = ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.ONEWINDOW_READ_REPLICA = REPLICA_ALIAS


def test_without_a_replica_every_read_goes_to_default(settings):
    settings.ONEWINDOW_READ_REPLICA = ""
    assert configured_replica() is None
    with replica_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert read_alias() == DEFAULT_DB_ALIAS
        assert router.db_for_read(Zone) == DEFAULT_DB_ALIAS


def test_marked_reads_go_to_the_replica_and_others_to_default(with_replica):
    assert router.db_for_read(Zone) is None  # Django's default: the primary
    assert read_alias() == DEFAULT_DB_ALIAS
    with replica_reads() as alias:
        assert alias == REPLICA_ALIAS
        assert read_alias() == REPLICA_ALIAS
        assert router.db_for_read(Zone) == REPLICA_ALIAS
    assert router.db_for_read(Zone) is None
    assert read_alias() == DEFAULT_DB_ALIAS


def test_writes_never_go_to_the_replica(with_replica):
    zone = Zone(code="SFQ")
    zone._state.db = REPLICA_ALIAS  # as if read from the replica
    assert router.db_for_write(Zone, instance=zone) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_write(Zone) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Zone, instance=zone) == DEFAULT_DB_ALIAS


def test_the_replica_is_never_migrated():
    assert router.allow_migrate(REPLICA_ALIAS, "cases") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cases") is None


def test_objects_of_both_aliases_may_be_related():
    first, second = Zone(code="A"), Zone(code="B")
    first._state.db, second._state.db = DEFAULT_DB_ALIAS, REPLICA_ALIAS
    assert router.allow_relation(first, second) is True
    second._state.db = "elsewhere"
    assert router.allow_relation(first, second) is None


def test_an_unknown_alias_is_no_replica(settings):
    settings.ONEWINDOW_READ_REPLICA = "nowhere"
    assert configured_replica() is None
    with replica_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS


def test_the_mark_belongs_to_one_thread(with_replica):
    seen = []
    with replica_reads():
        thread = threading.Thread(target=lambda: seen.append(read_alias()))
        thread.start()
        thread.join()
        assert read_alias() == REPLICA_ALIAS
    assert seen == [DEFAULT_DB_ALIAS]


def test_the_mark_is_undone_when_the_block_fails(with_replica):
    with pytest.raises(RuntimeError), replica_reads():
        raise RuntimeError
    assert read_alias() == DEFAULT_DB_ALIAS


def test_the_environment_adds_the_replica_alias(tmp_path):
    from onewindow.core.tests.test_settings import STRONG_KEY, environment, start

    code = (
        "import django; from django.conf import settings; "
        "print(sorted(settings.DATABASES)); print(settings.ONEWINDOW_READ_REPLICA); "
        "print(settings.DATABASES.get('replica', {}).get('HOST')); "
        "print(settings.DATABASES.get('replica', {}).get('TEST'))"
    )
    url = "postgres://reader@replica.example:5432/onewindow"
    env = environment(tmp_path, SECRET_KEY=STRONG_KEY, ONEWINDOW_REPLICA_URL=url)
    result = start(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "['default', 'replica']",
        "replica",
        "replica.example",
        "{'MIRROR': 'default'}",
    ]
    env.pop("ONEWINDOW_REPLICA_URL")
    result = start(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['default']", ""]
