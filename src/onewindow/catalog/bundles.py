"""一件事 (bundles): the merged material list and what a bundle saves, computed.

Pure over model instances the caller has already fetched: pass versions with their
materials prefetched (``prefetch_related("materials")``) and nothing here queries.

Merging: two materials are the same document when their :attr:`Material.merge_key`
agrees (the same certificate type, else the same name ignoring whitespace); the bundle
asks for it once, as strictly as the strictest item asks: required if any item requires
it, the most originals and copies any item wants, tolerable (容缺) and replaceable by a
commitment (告知承诺) only if every item allows it, and from the source that asks most of
the applicant (the applicant brings it > an e-certificate > a department shares it >
not needed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from onewindow.catalog.constants import MaterialMedium, MaterialSource
from onewindow.catalog.models import Bundle, ItemVersion, Material

# Most demanding first: the merged material takes the first one any item asks for.
SOURCE_BURDEN = [
    MaterialSource.APPLICANT,
    MaterialSource.CERTIFICATE,
    MaterialSource.DEPARTMENT,
    MaterialSource.NOT_NEEDED,
]
MEDIUM_STRICTNESS = [MaterialMedium.PAPER, MaterialMedium.ELECTRONIC, MaterialMedium.BOTH]


@dataclass
class MergedMaterial:
    """One line of a bundle's material list: a document asked once for several items."""

    name: str
    required: bool
    originals: int
    copies: int
    source: str
    certificate_type_id: int | None
    tolerable: bool
    commitment_allowed: bool
    item_names: list[str] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    key: str = ""  # Material.merge_key
    medium: str = MaterialMedium.BOTH

    @property
    def shared(self) -> bool:
        """Asked once for more than one item (what the bundle saves)."""
        return len(self.item_names) > 1

    def get_source_display(self) -> str:
        return MaterialSource(self.source).label

    def get_medium_display(self) -> str:
        return MaterialMedium(self.medium).label


def _stricter(current: str, other: str, ranking: list[str]) -> str:
    rank = {value: index for index, value in enumerate(ranking)}
    return other if rank.get(other, len(ranking)) < rank.get(current, len(ranking)) else current


def merge_materials(
    versions: Sequence[ItemVersion],
    *,
    materials_of: Callable[[ItemVersion], Iterable[Material]] | None = None,
) -> list[MergedMaterial]:
    """The bundle's material list, in the order materials first appear item by item.
    ``materials_of`` gives a version's materials (default: ``version.materials.all()``;
    cases pass ``catalog.published.version_materials``, the per-process cache)."""
    merged: dict[str, MergedMaterial] = {}
    for version in versions:
        materials = version.materials.all() if materials_of is None else materials_of(version)
        for material in materials:
            key = material.merge_key
            line = merged.get(key)
            if line is None:
                merged[key] = MergedMaterial(
                    key=key,
                    name=material.name,
                    required=material.required,
                    originals=material.originals,
                    copies=material.copies,
                    source=material.source,
                    certificate_type_id=material.certificate_type_id,
                    tolerable=material.tolerable,
                    commitment_allowed=material.commitment_allowed,
                    medium=material.medium,
                    item_names=[version.name],
                    materials=[material],
                )
                continue
            line.required = line.required or material.required
            line.originals = max(line.originals, material.originals)
            line.copies = max(line.copies, material.copies)
            line.source = _stricter(line.source, material.source, SOURCE_BURDEN)
            line.medium = _stricter(line.medium, material.medium, MEDIUM_STRICTNESS)
            line.tolerable = line.tolerable and material.tolerable
            line.commitment_allowed = line.commitment_allowed and material.commitment_allowed
            if version.name not in line.item_names:
                line.item_names.append(version.name)
            line.materials.append(material)
    return list(merged.values())


@dataclass(frozen=True)
class Savings:
    """What a bundle saves against doing its items one by one (computed, never typed)."""

    visits_separately: int
    visits_bundle: int
    materials_separately: int
    materials_bundle: int
    days_separately: int
    days_bundle: int

    @property
    def visits_saved(self) -> int:
        return self.visits_separately - self.visits_bundle

    @property
    def materials_saved(self) -> int:
        return self.materials_separately - self.materials_bundle

    @property
    def days_saved(self) -> int:
        return self.days_separately - self.days_bundle


def bundle_savings(bundle: Bundle, versions: Sequence[ItemVersion]) -> Savings:
    """Separately: every item's visits, materials and promised days, one after another."""
    return Savings(
        visits_separately=sum(version.required_visits for version in versions),
        visits_bundle=bundle.required_visits,
        materials_separately=sum(len(version.materials.all()) for version in versions),
        materials_bundle=len(merge_materials(versions)),
        days_separately=sum(version.promised_limit_days for version in versions),
        days_bundle=bundle.promised_limit_days,
    )
