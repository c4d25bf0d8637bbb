"""Optional libraries: declared as extras, installed by `.[test]`, and missed with a clear fix."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from monitor.optional import EXTRAS, PROJECT, MissingExtra, require

PYPROJECT = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
DECLARED = PYPROJECT["project"]["optional-dependencies"]


def test_every_optional_library_is_an_extra_and_test_installs_them_all():
    for distribution, extra in EXTRAS.values():
        assert any(req.lower().startswith(distribution.lower()) for req in DECLARED[extra]), extra
    extras = sorted({extra for _, extra in EXTRAS.values()})
    assert DECLARED["all"] == [f"{PROJECT}[{','.join(sorted(extras, key=list(DECLARED).index))}]"]
    assert f"{PROJECT}[all]" in DECLARED["test"]


@pytest.mark.parametrize("module", sorted(EXTRAS))
def test_the_readme_install_has_every_optional_library(module):
    assert require(module, "this test").__name__ == module


def test_a_missing_library_says_which_extra_installs_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "feedparser", None)  # what an uninstalled package looks like
    with pytest.raises(MissingExtra) as caught:
        require("feedparser", "The web feeds connector")
    assert str(caught.value) == (
        "The web feeds connector needs feedparser, which is not installed. Install it with "
        "`pip install 'iom3-monitor[feeds]'` (from a checkout: `pip install -e '.[feeds]'`)"
    )
    assert isinstance(caught.value, ImportError) and caught.value.extra == "feeds"


def test_an_installed_library_with_a_broken_dependency_is_not_called_missing(monkeypatch, tmp_path):
    (tmp_path / "brokenlib.py").write_text("import iom3_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(EXTRAS, "brokenlib", ("brokenlib", "web"))
    with pytest.raises(ModuleNotFoundError, match="iom3_no_such_dependency") as caught:
        require("brokenlib", "a test")
    assert not isinstance(caught.value, MissingExtra)


def test_an_unlisted_module_is_a_lookup_error_naming_the_known_ones():
    with pytest.raises(LookupError, match="'numpy' is not an optional library; the known ones are: flask, "):
        require("numpy", "a test")
