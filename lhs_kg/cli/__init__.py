"""The ``lhs-kg`` command line: a click group whose commands live in the modules of this package.

Each module registers its commands on :data:`main` when imported, so a new capability adds a
module here and touches no shared file. Commands of other packages (``serve``, the web app's)
come through the ``lhs_kg.commands`` entry point, loaded only when used (:mod:`.base`). Exit
codes follow pySHACL: 0 success, 1 a finding (does not conform, a check returned rows), 2 usage
or input error.
"""

from __future__ import annotations

import importlib
import pkgutil

from lhs_kg.cli.base import main

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["main"]
