"""Every reference into the project's specification (``docs/<file>.md §x.y``) names a file and a section that exist."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"docs/([\w.]+\.md)(?: §(\d+(?:\.\d+)?)(?:\(([a-z])\))?)?")


def sources():
    for folder in ("lib", "notebooks", "tests", "benchmarks"):
        yield from (p for p in (REPO / folder).rglob("*") if p.suffix in (".py", ".ipynb"))
    yield REPO / "README.md"


def headings(doc: Path) -> set[str]:
    """``"1.4"`` for a heading ``## 1.4 ...``, ``"3.4(a)"`` for a ``### (a)`` under ``## 3.4``, ``"5"`` for ``# 5.``."""
    found, section = set(), None
    for line in doc.read_text().splitlines():
        if match := re.match(r"#+ (\d+(?:\.\d+)?)\.? ", line):
            section = match.group(1)
            found.add(section)
        elif (match := re.match(r"#+ \(([a-z])\)", line)) and section:
            found.add(f"{section}({match.group(1)})")
    return found


def test_every_docs_reference_exists():
    missing = []
    for path in sources():
        for match in REFERENCE.finditer(path.read_text()):
            name, section, part = match.groups()
            doc = REPO / "docs" / name
            if not doc.exists():
                missing.append(f"{path.name}: {match.group(0)} (no such file)")
            elif section and (section + (f"({part})" if part else "")) not in headings(doc):
                missing.append(f"{path.name}: {match.group(0)} (no such section)")
    assert not missing, "\n".join(missing)


def test_no_reference_to_the_external_specification():
    this = Path(__file__).resolve()
    stale = [p.name for p in sources() if p != this and re.search(r"METHODS §|METHODS\.md", p.read_text())]
    assert not stale, stale
