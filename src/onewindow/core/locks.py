"""Every row lock a service takes, through one module, in one order (ADR 0019).

In the manner of saleor's ``lock_objects``: services do not write ``select_for_update``
themselves, they call the function for the kind of lock they need, so the order is
written once and can be read (and tested) here. Core knows no app's models, so the
functions are generic; each takes a model or a queryset (to filter or join first).

The order, within one transaction:

1. **Domain rows** (``lock_row``, ``lock_first``, ``lock_rows``): a parent before its children, the
   children by primary key, then what belongs to a row (a case, then its tasks,
   materials and suspensions; a rectification; a certificate; an applicant). Only the
   rows of the queried model are locked (``FOR UPDATE OF self``), never the rows a
   ``select_related`` joins.
2. **Counters and shared rows** (``lock_counter``, ``lock_shared_row``): serial and number
   counters, a user row whose roles change, a background task and its lease.

Never lock a parent after its child, nor a domain row after a counter (except a row
created in the same transaction, which no one else can see yet). Appending an audit event
takes no lock: the chain is linked after commit by one chainer (ADR 0004).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)
Source = type[ModelT] | models.QuerySet[ModelT]


def _locking(source: Source, *, skip_locked: bool = False) -> models.QuerySet:
    """``source``'s rows, locked when evaluated, in primary-key order, only its own rows."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    return queryset.select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk")


# -- 1. domain rows ---------------------------------------------------------------------------


def lock_row(source: Source, *, related: Iterable[str] = (), **lookup: Any) -> Any:
    """The one row of ``source`` matching ``lookup``, locked and fresh (``DoesNotExist``
    when there is none). ``related`` is read along (``select_related``) without being
    locked. A parent is locked by its own call first: ``lock_row(Case, pk=parent_id)``."""
    return _locking(source).select_related(*related).get(**lookup)


def lock_first(source: Source, *, related: Iterable[str] = (), **lookup: Any) -> Any | None:
    """The first row (by primary key) of ``source`` matching ``lookup``, locked, or None
    (a row that may be gone or have moved on since it was listed)."""
    return _locking(source).select_related(*related).filter(**lookup).first()


def lock_rows(
    source: Source, *, related: Iterable[str] = (), skip_locked: bool = False, **lookup: Any
) -> list[Any]:
    """The rows of ``source`` matching ``lookup`` (``pk__in=…``, ``parent=…``), locked in
    primary-key order, so two transactions locking overlapping sets cannot deadlock.
    ``skip_locked``: leave out rows another transaction holds (a clean-up job that two
    workers may run at once)."""
    return list(_locking(source, skip_locked=skip_locked).select_related(*related).filter(**lookup))


# -- 2. counters and shared rows, after the domain rows -----------------------------------------


def lock_counter(
    model: type[ModelT], *, defaults: Mapping[str, Any] | None = None, **lookup: Any
) -> ModelT:
    """The counter row of ``model`` identified by ``lookup``, created with ``defaults`` when
    missing, locked: ``lock_counter(CertificateSequence,
    zone_id=…, certificate_type=…, defaults={"last": 0})``. The caller increments and
    saves it."""
    model._default_manager.bulk_create([model(**lookup, **(defaults or {}))], ignore_conflicts=True)
    return _locking(model).get(**lookup)


def lock_shared_row(
    source: Source, *, missing_ok: bool = False, skip_locked: bool = False, **lookup: Any
) -> Any | None:
    """A shared row that services take after the domain rows (a user whose roles change, a
    background task and its lease). ``DoesNotExist`` when there is none, or None with
    ``missing_ok`` (also when ``skip_locked`` skips a row another transaction holds)."""
    locking = _locking(source, skip_locked=skip_locked)
    if missing_ok:
        return locking.filter(**lookup).first()
    return locking.get(**lookup)
