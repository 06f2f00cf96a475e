"""The versions the package claims are the versions CI tests at the bottom of the range:
``.ci/minimums.txt`` pins exactly the floors of setup.cfg's ``install_requires``, and the
lowest Python ``python_requires`` allows is the one the minimum-versions leg looks for."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _floors() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    floors = {}
    for line in config["options"]["install_requires"].split("\n"):
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][^,;\s]*)", line.strip())
        if line.strip():
            assert match, f"install_requires line without a >= floor: {line!r}"
            name, floor = match.groups()
            floors[name.lower()] = floor
    return floors


def test_the_minimums_ci_leg_pins_exactly_the_floors_of_setup_cfg() -> None:
    pins = {}
    for line in (ROOT / ".ci" / "minimums.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = Version(version.strip())
    assert pins == {name: Version(floor) for name, floor in _floors().items()}


def test_the_minimums_leg_looks_for_the_lowest_python_the_package_allows() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lowest = config["options"]["python_requires"].strip()
    assert lowest == ">=3.9"
    assert "python3.9" in (ROOT / ".ci" / "run").read_text()
