"""Lazy package exports (PEP 562).

A package names its public functions in its `__init__`; each is imported from its module the first
time it is used, so `from aidctl.pay import reconcile` does not import all the package holds (a
plain validate never loads SQLAlchemy or xlsxwriter).
"""

from __future__ import annotations

import importlib


def lazy(package: str, exports: dict[str, str]):
    """`__getattr__` and `__dir__` for a package; `exports` maps each public name to "module" (the
    same name in that module) or "module:name"."""

    def __getattr__(name: str):
        try:
            module, _, attribute = exports[name].partition(":")
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(f"{package}.{module}"), attribute or name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
