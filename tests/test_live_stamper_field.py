"""``stamper`` in journals and sessions: what stamped the keys travels from the journal's
header to the session file (and through recovery); a header naming anything else is
refused; a session without it (older, imported) reads as not recorded."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import attrs
import pytest
from support.minibook import book

from observer.errors import InputError
from observer.live.journal import make_header
from observer.live.recovery import parse_header
from observer.sessionfile import Stamper, session_from_data, unstructure
from observer.synthetic import make_session


@pytest.mark.parametrize("stamper", get_args(Stamper))
def test_stamper_travels_from_header_to_session(tmp_path: Path, stamper: Stamper) -> None:
    header = make_header("S1", book(), "D1", "o1", stamper=stamper)
    meta, _ = parse_header(header, "j")
    assert meta.stamper == stamper
    session = attrs.evolve(make_session(book(), 3), stamper=stamper)
    data = unstructure(session)
    assert data["stamper"] == stamper
    assert session_from_data(data, "s").stamper == stamper


def test_not_recorded_and_refused() -> None:
    assert "stamper" not in make_header("S1", book(), "D1", "o1")
    assert "stamper" not in unstructure(make_session(book(), 3))
    with pytest.raises(InputError, match="'stamper' must be one of helper, thread, driver"):
        parse_header({**make_header("S1", book(), "D1", "o1"), "stamper": "sundial"}, "j")
