"""The documentation stands on its own: every relative link of every Markdown file and notebook resolves
to a file or folder inside the repository."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
SKIPPED = {"build", "runs", ".git"}


def documents():
    for pattern in ("*.md", "*.ipynb"):
        for path in ROOT.rglob(pattern):
            if not SKIPPED.intersection(path.relative_to(ROOT).parts) and not path.name.startswith("build"):
                yield path


def text_of(path):
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return path.read_text()


def broken_links(root, paths):
    for path in paths:
        for match in LINK.finditer(text_of(path)):
            target = match.group(1).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):  # an anchor, or a web or mail address
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(root) or not resolved.exists():
                yield f"{path.relative_to(root)}: {match.group(1)}"


def test_every_relative_link_resolves_inside_the_repository():
    assert list(broken_links(ROOT, documents())) == []


def test_the_check_sees_a_link_that_leaves_the_repository_or_is_missing(tmp_path):
    repository = tmp_path / "repository"
    (repository / "docs").mkdir(parents=True)
    (tmp_path / "shared.md").write_text("outside")
    (repository / "docs" / "config.md").write_text("inside")
    probe = repository / "docs" / "probe.md"
    probe.write_text("[out](../../shared.md) [gone](missing.md) [fine](config.md#keys) [web](https://example.org)")
    assert list(broken_links(repository, [probe])) == ["docs/probe.md: ../../shared.md", "docs/probe.md: missing.md"]
