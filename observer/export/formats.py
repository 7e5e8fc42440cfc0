"""The export formats: the one table ``observer export --format`` reads.

A format plugs in with one row here and its writer module; the command takes its
choices, its help and how to write each one from this table and from nothing else.

Two shapes of writer:

- ``"file"``: ``writer(sessions) -> Iterator[bytes]``, one file (or standard output)
  for every session given, written piece by piece as the sessions are read.
- ``"files"``: ``writer(sessions) -> Iterator[(relative path, bytes or pieces)]``,
  files of their own per session (one ELAN document, one NWB file, a BIDS events
  table and its sidecar); ``relative path`` may name sub-folders. The sessions are
  an iterable that may be read more than once (a BIDS session number needs every
  session of a dyad first).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any, Literal

import attrs


@attrs.frozen
class ExportFormat:
    name: str
    writer: str
    """``"module:function"``, imported only when the format is chosen."""
    shape: Literal["file", "files"]
    help: str
    """A phrase for ``--help``: what the format is and for which tool."""
    single: str = ""
    """For ``files``: the suffix ``-o`` may end with to name the one file of a single
    session (``.eaf``); empty when the output is always a folder."""
    counts: Literal["events", "rating rows"] = "events"
    noun: str = "file"
    """For ``files``: what ``wrote N ...`` calls one file (``EAF file``)."""
    extra: str = ""
    """The optional extra (``pip install 'observer[EXTRA]'``) whose libraries it needs."""
    needs: tuple[str, ...] = ()
    """The modules of that extra, checked before any session is read."""

    def load(self) -> Callable[..., Any]:
        module, function = self.writer.split(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return found

    def missing(self) -> str:
        """What to install when a library the format needs is absent, else ``""``."""
        absent = [m for m in self.needs if importlib.util.find_spec(m) is None]
        if not absent:
            return ""
        return (
            f"--format {self.name} needs the optional {self.extra!r} extra ({', '.join(absent)}"
            f" not installed): pip install 'observer[{self.extra}]'"
        )


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("csv", "observer.export.tabular:csv_chunks", "file",
                 "one row per event (R, pandas, spreadsheets)"),
    ExportFormat("tsv", "observer.export.tabular:tsv_chunks", "file",
                 "the same with tabs"),
    ExportFormat("sdis", "observer.export.sdis:sdis_chunks", "file",
                 "GSEQ timed-event file"),
    ExportFormat("eaf", "observer.export.eaf:eaf_files", "files",
                 "ELAN, one .eaf per session", single=".eaf", noun="EAF file"),
    ExportFormat("ratings-csv", "observer.export.ratings:csv_chunks", "file",
                 "one row per session, rating item (or composite) and segment",
                 counts="rating rows"),
    ExportFormat("ratings-tsv", "observer.export.ratings:tsv_chunks", "file",
                 "the same with tabs", counts="rating rows"),
    ExportFormat("nwb", "observer.export.nwb:nwb_files", "files",
                 "Neurodata Without Borders, one .nwb per session (needs the nwb extra)",
                 single=".nwb", noun="NWB file", extra="nwb", needs=("pynwb", "ndx_ethogram")),
    ExportFormat("bids-events", "observer.export.bids:bids_files", "files",
                 "BIDS events.tsv and events.json per session, in sub-*/ses-*/beh/"),
)  # fmt: skip

BY_NAME = {f.name: f for f in FORMATS}
