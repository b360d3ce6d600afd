"""The release files exist and agree with the package's version."""

import re
import tomllib
from pathlib import Path

from sklearn_kexue import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_license_ships_with_the_distributions():
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    assert "LICENSE" in project["license-files"]


def test_citation_cites_this_version():
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", citation, re.M)
    assert re.search(rf"^version: {re.escape(__version__)}$", citation, re.M)
    assert re.search(r"^license: BSD-3-Clause$", citation, re.M)


def test_changelog_has_this_version():
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == "Unreleased"
    assert any(h.split()[0] == __version__ for h in headings[1:])
