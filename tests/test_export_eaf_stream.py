"""The EAF export is written in pieces: the same bytes as the document it wrote whole
(digests taken before it streamed, for a seeded session of every bundled codebook),
and a large session comes out in many pieces, never as one text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from observer.codebook import bundled_paths, load_codebook
from observer.export.eaf import BATCH, eaf_bytes, eaf_chunks
from observer.synthetic import make_session

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WHOLE = {  # sha256 of eaf_bytes(make_session(book, 300, seed=5, session_id="S1"), now=NOW)
    "cpp-attachment": "c0e828d0696556aae4dbcb23a43afa2e0fdc54c407a4e040f508b72a4d1eaf2d",
    "cpp-fidelity-style": "30d82447686adcbc366f15b571cdc05bacef036697c1465d69729a2971cb6545",
    # dpics-style 1.2.0 (criteria and two codes in 1.1.0, then windows and planned ends):
    # taken from the streamed writer, whose pieces the other rows prove equal to the whole
    # documents.
    "dpics-style": "2a59c5032a8c9f8700d3fdab2ac12508c455109b231952a3cba9a30961af0256",
    "emotional-availability-style": (
        "e6e43b5e7a07fc3ceeb8954ae3634aa51e677511aebb714cd816e83902602d5c"
    ),
    "strange-situation": "854ee0e9f4d4087bdb4efbd42f53df305990f5ff6215d68937a428219132eb7e",
    "care-index-style": "575d60750f8470f14aa479cc8993cf6941604365d44cfa2c5022792d68c8c3d0",
    "cib-style": "41baa9176add720075fa5c14a6a927c0a1905411fb72874589cde6ffb89b4417",
    "crowell-style": "0a1baefb5e019029425a66b7be369f763af6c5e46c7b884f86cad77e9b488c99",
    "piccolo-style": "6f110d55e6b1db09fe7621d36ed67092fa3746c2532c5c3955089826c8387a21",
}  # strange-situation 1.2.0 (the forced alternative); the others as they were added


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_the_pieces_are_the_document_it_wrote_whole(path: Path) -> None:
    session = make_session(load_codebook(path), 300, seed=5, session_id="S1")
    pieces = list(eaf_chunks(session, now=NOW))
    assert hashlib.sha256(b"".join(pieces)).hexdigest() == WHOLE[path.stem]
    assert b"".join(pieces) == eaf_bytes(session, now=NOW)


def test_a_large_session_comes_out_in_many_pieces() -> None:
    session = make_session(load_codebook("cpp-attachment"), 20_000, seed=1, session_id="S1")
    pieces = list(eaf_chunks(session, now=NOW))
    assert len(pieces) > 20_000 * 2 // BATCH  # slots and annotations, a batch at a time
    assert max(len(p) for p in pieces) < 2 * 1024 * 1024
