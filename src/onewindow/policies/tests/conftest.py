import pytest

from onewindow.policies.tests.factories import PolicyWorld, policy_world


@pytest.fixture
def pw(db) -> PolicyWorld:
    return policy_world()
