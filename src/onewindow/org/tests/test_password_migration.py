"""Upgrading (migration org 0003/0004) gives every existing account a password age that
starts at the upgrade: nobody is sent to change their password by the upgrade itself."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("org", "0002_user_manager")]
AFTER = [("org", "0004_user_password_changed_at_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_start_their_password_age_at_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_user = executor.loader.project_state(BEFORE).apps.get_model("org", "User")
    old_user.objects.create(username="veteran", password="x", kind="staff")
    started = timezone.now()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new_user = executor.loader.project_state(AFTER).apps.get_model("org", "User")
    changed_at = new_user.objects.get(username="veteran").password_changed_at
    assert changed_at is not None and changed_at >= started
    # back to the latest state for the tests that follow
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
