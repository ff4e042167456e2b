"""A name → builder registry that refuses duplicates and unknown names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from aekit.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to entries; registering a name twice or asking for an unknown one fails."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._entries: dict[str, T] = {}
        self._descriptions: dict[str, str] = {}

    def register(self, name: str, description: str = "") -> Callable[[T], T]:
        def add(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self._what} {name!r} is already registered")
            self._entries[name] = entry
            self._descriptions[name] = description
            return entry

        return add

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise ConfigError(f"unknown {self._what} {name!r}; known: {known}") from None

    def describe(self) -> list[tuple[str, str]]:
        return sorted(self._descriptions.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))
