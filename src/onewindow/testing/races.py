"""Races on shared rows: calls lined up on a barrier so they really overlap.

Each call runs in its own thread, hence its own database connection, closed when the call
ends; results and errors come back to the test's thread in the order of the calls. SQLite
serialises every writer and does not share its in-memory test database between the
threads' connections, so the tests that race run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from onewindow.core.errors import ApplicationError

TIMEOUT = 60


def race(*calls: Callable[[], object], timeout: float = TIMEOUT) -> list[object]:
    """Run ``calls`` at once, one thread each; their results or the errors they raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def work(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as error:  # checked by the test, in its own thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck"
    return results


def split(results: list[object]) -> tuple[list[object], list[BaseException]]:
    """The successes and the refusals of a race; any other error (an IntegrityError, a
    deadlock…) is a bug and fails the test here."""
    errors = [result for result in results if isinstance(result, BaseException)]
    unexpected = [error for error in errors if not isinstance(error, ApplicationError)]
    assert unexpected == [], unexpected
    return [result for result in results if not isinstance(result, BaseException)], errors
