"""observer.collector: during a session every full collection freezes its survivors, so
the next walks only what was made since; the app's end gives them back."""

from __future__ import annotations

import gc
from pathlib import Path

from support.pilot import attached

from observer import collector
from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp


def _freezing() -> bool:
    return collector._freeze_after_full in gc.callbacks


def _frozen(objects: list[list[int]]) -> bool:
    """Every one of ``objects`` (and their list) is out of the collector's generations:
    frozen (counting the frozen objects would not do: a frozen object freed elsewhere,
    by the event loop say, leaves the count meanwhile)."""
    walked = {id(o) for o in gc.get_objects()}
    return id(objects) not in walked and not any(id(o) in walked for o in objects)


async def test_a_full_collection_freezes_what_survived_it() -> None:
    before = gc.get_freeze_count()
    collector.freeze_survivors()
    collector.freeze_survivors()  # once only
    try:
        assert gc.callbacks.count(collector._freeze_after_full) == 1
        kept = [[i] for i in range(1000)]  # a session's long-lived objects
        gc.collect(0)  # a young collection freezes nothing
        assert gc.get_freeze_count() == before and not _frozen(kept)
        gc.collect()
        assert _frozen(kept)
        more = [[i] for i in range(500)]
        assert not _frozen(more)
        gc.collect()  # the next one walks only what was made since, and freezes it too
        assert _frozen(more)
    finally:
        collector.thaw()
    assert not _freezing() and gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0  # no longer freezing


async def test_the_coding_app_freezes_from_its_journal_to_its_end(tmp_path: Path) -> None:
    book = load_codebook("cpp-attachment")
    app = CodingApp(tmp_path, book=book, dyad="D1", observer="o1", journals=[])
    assert not _freezing()
    async with app.run_test() as pilot:
        await attached(pilot)
        assert _freezing()
        gc.collect()
        assert gc.get_freeze_count() > 0
        app.exit()
    assert not _freezing() and gc.get_freeze_count() == 0


def test_held_turns_collection_off_in_its_block_only() -> None:
    assert gc.isenabled()
    with collector.held():
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector.held():
            raise ValueError("inside")
    except ValueError:
        pass
    assert gc.isenabled()  # back on after an error too
    gc.disable()
    try:
        with collector.held():
            assert not gc.isenabled()
        assert not gc.isenabled()  # left off: it was off before
    finally:
        gc.enable()
