"""Storage errors.

Class tree::

    StorageError            base
    ├── MigrationError      a numbered migration failed; the database is left at the previous step
    └── NotFound            the requested row does not exist (``.what``, ``.key``)
"""

from __future__ import annotations


class StorageError(Exception):
    pass


class MigrationError(StorageError):
    pass


class NotFound(StorageError):
    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"{what} {key!r} not found")
