"""The official scorers in ``../shared/tools``, imported by path: they are plain scripts,
not installed packages, and the figures must come from exactly those files.

    from bench.official import load_official      # with the repository root on sys.path
    scorer = load_official("score_ner")          # ../shared/tools/score_ner.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[2] / "shared" / "tools"


def load_official(name: str, path: Path | None = None) -> ModuleType:
    """Import ``TOOLS/<name>.py`` (or ``path``, for a scorer kept elsewhere) as ``name``."""
    path = path or TOOLS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the official scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
