"""The parts of a published item version (materials, steps, workflow plan), cached per
process by version id.

A published (or retired) version never changes again: ``ItemVersion.save``/``delete``
and ``VersionPart.save``/``delete`` refuse any write to it but its retirement, so what
was read once stays true for the life of the process. Editing an item makes a new
draft version with a new id, and publishing it makes that id the one cases use; a
draft's parts are never cached (they are read from the database on every call).

The cache is bounded (``CACHE_SIZE`` versions, least recently used first out) and
shared by the threads of a process; what it returns is shared too, and is read only.
``forget()`` empties it (tests whose database starts afresh call it: ids come back).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from onewindow.catalog.models import ItemVersion, Material, Step
from onewindow.catalog.workflow import StepSpec, WorkflowPlan, workflow_structure

#: How many published versions one process keeps (a zone publishes a few hundred items).
CACHE_SIZE = 1024


class VersionParts:
    """What a case reads of its item version besides the version's own row."""

    __slots__ = ("_plan", "materials", "steps")

    def __init__(self, materials: tuple[Material, ...], steps: tuple[Step, ...]) -> None:
        self.materials = materials
        self.steps = steps
        self._plan: WorkflowPlan | None = None

    @property
    def plan(self) -> WorkflowPlan:
        """The checked workflow (``catalog.workflow``), computed on first use."""
        if self._plan is None:
            self._plan = workflow_structure([StepSpec.of(step) for step in self.steps])
        return self._plan


_cache: OrderedDict[int, VersionParts] = OrderedDict()
_lock = threading.Lock()


def _read(version_id: int) -> VersionParts:
    return VersionParts(
        materials=tuple(Material.objects.filter(version_id=version_id).order_by("position")),
        steps=tuple(Step.objects.filter(version_id=version_id).order_by("position")),
    )


def version_parts(version: ItemVersion) -> VersionParts:
    """The materials and steps of ``version``: from the cache when the version is
    published or retired (as read from the database), else read now."""
    if not version.is_frozen:
        return _read(version.pk)
    with _lock:
        parts = _cache.get(version.pk)
        if parts is not None:
            _cache.move_to_end(version.pk)
            return parts
    parts = _read(version.pk)
    with _lock:
        parts = _cache.setdefault(version.pk, parts)
        _cache.move_to_end(version.pk)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return parts


def version_materials(version: ItemVersion) -> tuple[Material, ...]:
    """The version's materials in their order (read only)."""
    if not version.is_frozen:
        return tuple(Material.objects.filter(version_id=version.pk).order_by("position"))
    return version_parts(version).materials


def version_plan(version: ItemVersion) -> WorkflowPlan:
    """The version's checked workflow plan (read only)."""
    if not version.is_frozen:
        steps = Step.objects.filter(version_id=version.pk).order_by("position")
        return workflow_structure([StepSpec.of(step) for step in steps])
    return version_parts(version).plan


def forget() -> None:
    """Empty the cache (the next read of every version goes to the database)."""
    with _lock:
        _cache.clear()
