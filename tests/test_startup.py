"""observer.startup: collection held from a command's start to its app's first frame."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from observer import startup


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    yield
    gc.enable()
    startup._held = False


def test_held_then_released_freezes_what_start_up_made() -> None:
    startup.hold_collection()
    assert not gc.isenabled()
    made: list[list[object]] = [[] for _ in range(1000)]  # start-up objects
    startup.release_collection()
    assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    startup.release_collection()  # once only
    assert gc.get_freeze_count() >= len(made)
    gc.unfreeze()


def test_an_app_never_held_leaves_the_collector_alone() -> None:
    # Tests and other programs run apps without the command: nothing is frozen.
    before = gc.get_freeze_count()
    startup.release_collection()
    assert gc.isenabled() and gc.get_freeze_count() == before
    gc.disable()  # a program that turned collection off itself
    startup.hold_collection()
    startup.release_collection()
    assert not gc.isenabled() and gc.get_freeze_count() == before
