"""Storage does no language processing: of the summarizer it may import only the data
model (``summarizer.model``); index words, signatures and copy checks come with an
article's analysis, search words from the caller."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.imports import imported_names

ROOT = Path(__file__).parents[2]
ALLOWED = "summarizer.model"


def nlp_imports(root: Path) -> dict[str, list[str]]:
    """Each storage module's imports of the summarizer other than its data model."""
    found = {}
    for module, names in imported_names(root, "storage").items():
        bad = sorted(
            n
            for n in names
            if n.split(".")[0] == "summarizer" and n != ALLOWED and not n.startswith(f"{ALLOWED}.")
        )
        if bad:
            found[module] = bad
    return found


def test_storage_imports_only_the_summarizers_data_model() -> None:
    graph = imported_names(ROOT, "storage")
    assert len(graph) >= 15 and "summarizer.model" in graph["storage.articles"]  # really read
    assert nlp_imports(ROOT) == {}


def test_an_nlp_import_anywhere_in_storage_would_be_found(tmp_path: Path) -> None:
    (tmp_path / "storage" / "backends").mkdir(parents=True)
    (tmp_path / "storage" / "ok.py").write_text("from summarizer.model import Analysis\n")
    (tmp_path / "storage" / "backends" / "late.py").write_text(
        "def f():\n    from summarizer.tokenize import segment_for_index\n"
    )
    (tmp_path / "storage" / "whole.py").write_text("import summarizer\n")
    assert nlp_imports(tmp_path) == {
        "storage.backends.late": [
            "summarizer.tokenize",
            "summarizer.tokenize.segment_for_index",
        ],
        "storage.whole": ["summarizer"],
    }
