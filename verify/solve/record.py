"""A frozen record of named numbers that also reads as a mapping (what the JSON writes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

__all__ = ["Record"]


class Record(Mapping[str, float]):
    """Mixin for a frozen dataclass: the mapping is :meth:`_items` (the fields present, under
    their JSON names), so typed access and the JSON view cannot disagree."""

    def _items(self) -> dict[str, float]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> float:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())
