"""What a live pair's two session files must show, whether the coders paired in two
terminals or two browser pages. No tests here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from observer.sessionfile import Session


def assert_one_pair(folder: Path, ref: Session, trainee: Session, name: str) -> None:
    """``ref`` (the host) and ``trainee`` (who joined) carry one pair id made from
    ``name``, their roles and each other's observer id, and ``observer reliability``
    finds exactly that pair in ``folder`` by its id (their labels differ)."""
    assert ref.pair is not None and trainee.pair is not None
    assert ref.pair.id == trainee.pair.id and ref.pair.id.startswith(f"{name}-")
    assert (ref.pair.role, ref.pair.partner) == ("primary", "trainee")
    assert (trainee.pair.role, trainee.pair.partner) == ("reliability", "ref")
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "observer",
            "reliability",
            "report",
            str(folder),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    pairs = json.loads(report.stdout)["pairs"]
    assert [(Path(p["a"]).stem, Path(p["b"]).stem) for p in pairs] == [(ref.id, trainee.id)]
