"""The documentation lists what the code has."""

from pathlib import Path

from darkbeam.models import PARAMETER_DOCS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_models_doc_lists_every_parameter():
    text = (DOCS / "models.md").read_text()
    missing = [k for k in PARAMETER_DOCS if f"| `{k}` |" not in text]
    assert not missing, f"docs/models.md lacks {missing}"


def test_readme_links_every_docs_page():
    readme = (DOCS.parent / "README.md").read_text()
    missing = [p.name for p in sorted(DOCS.glob("*.md")) if f"docs/{p.name}" not in readme]
    assert not missing, f"README.md's Documentation section lacks {missing}"
