"""Every format ``observer export`` writes, in one table: a new format plugs in here.

A row names the function that writes the format (``module:function``, imported only
when the format is asked for) and how its output is shaped:

- ``chunks``: ``function(sessions) -> Iterator[bytes]``, one file (or standard output,
  unless ``binary``), each session's part made as the session is read;
- ``files``: ``function(sessions) -> Iterator[(relative path, bytes or pieces)]``,
  files of their own per session in the folder ``-o`` names (one ELAN document, one
  NWB file, a BIDS events table and its sidecar); a relative path may name
  sub-folders, and the sessions may be read more than once (a BIDS session number
  needs every session of a dyad first); ``single``, the suffix ``-o`` may end with to
  name the one file of a single session;
- ``sessions``: session files every command reads (``--format session``), written by
  the command itself (encrypted where the folder asks for it);
- ``tree``: ``function(named_sessions, folder, partition)`` fills a new folder (given
  ``--partition``): ``named_sessions`` yields ``(file name, session)``.

A writer that stamps a time of its own on a document (ELAN's ``DATE``) takes it as
``now`` when the row says ``dated``: with ``--deidentify``, a fixed time that is no
date of anything.

``extra`` is the optional extra (``pip install 'observer[EXTRA]'``) whose
``libraries`` the format needs; without them the command says which extra to
install and exits with status 2.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any, Literal

import attrs

Unit = Literal["event", "rating row", "session"]
"""What the command counts when it reports what it wrote."""


@attrs.frozen
class ExportFormat:
    name: str
    help: str
    chunks: str | None = None
    files: str | None = None
    tree: str | None = None
    binary: bool = False
    extra: str | None = None
    libraries: tuple[str, ...] = ()
    unit: Unit = "event"
    single: str = ""
    """For ``files``: the suffix of ``-o`` that names the one file of one session."""
    noun: str = "file"
    """For ``files``: what ``wrote N ...`` calls one of them (``EAF file``)."""
    dated: bool = False
    sessions: bool = False

    def missing(self) -> tuple[str, ...]:
        """The libraries of the format that are not installed."""
        return tuple(n for n in self.libraries if importlib.util.find_spec(n) is None)

    def install_hint(self) -> str:
        """What to say when :meth:`missing` is not empty."""
        names = ", ".join(self.missing() or self.libraries)
        return (
            f"--format {self.name} needs the optional {self.extra} extra ({names}):"
            f" pip install 'observer[{self.extra}]'"
        )


def function(spec: str) -> Callable[..., Any]:
    """The function a row names (``module:function``)."""
    module, attr = spec.split(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    return found


_FORMATS = "formats"
_STATS = ("pyreadstat", "pandas")

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "csv",
            "one row per event",
            chunks="observer.export.tabular:csv_chunks",
        ),
        ExportFormat(
            "tsv",
            "one row per event, tab-separated",
            chunks="observer.export.tabular:tsv_chunks",
        ),
        ExportFormat(
            "sdis",
            "GSEQ timed-event file",
            chunks="observer.export.sdis:sdis_chunks",
        ),
        ExportFormat(
            "eaf",
            "ELAN, one .eaf per session",
            files="observer.export.eaf:eaf_files",
            single=".eaf",
            noun="EAF file",
            dated=True,
        ),
        ExportFormat(
            "session",
            "session files every command reads, one per session, into -o DIR",
            sessions=True,
            noun="session file",
        ),
        ExportFormat(
            "ratings-csv",
            "one row per session, rating item (or composite) and segment",
            chunks="observer.export.ratings:csv_chunks",
            unit="rating row",
        ),
        ExportFormat(
            "ratings-tsv",
            "as ratings-csv, tab-separated",
            chunks="observer.export.ratings:tsv_chunks",
            unit="rating row",
        ),
        ExportFormat(
            "sav",
            "SPSS, the event columns with variable and value labels",
            chunks="observer.export.stats_files:events_sav",
            binary=True,
            extra=_FORMATS,
            libraries=_STATS,
        ),
        ExportFormat(
            "dta",
            "Stata, as sav",
            chunks="observer.export.stats_files:events_dta",
            binary=True,
            extra=_FORMATS,
            libraries=_STATS,
        ),
        ExportFormat(
            "ratings-sav",
            "SPSS, one row per session, a labelled variable per rating item, composite and class",
            chunks="observer.export.stats_files:ratings_sav",
            binary=True,
            extra=_FORMATS,
            libraries=_STATS,
            unit="session",
        ),
        ExportFormat(
            "ratings-dta",
            "Stata, as ratings-sav",
            chunks="observer.export.stats_files:ratings_dta",
            binary=True,
            extra=_FORMATS,
            libraries=_STATS,
            unit="session",
        ),
        ExportFormat(
            "parquet",
            "the csv columns typed; -o FILE.parquet, or -o DIR with --partition",
            chunks="observer.export.parquet:parquet_chunks",
            tree="observer.export.parquet:write_partitioned",
            binary=True,
            extra=_FORMATS,
            libraries=("pyarrow",),
        ),
        ExportFormat(
            "nwb",
            "Neurodata Without Borders, one .nwb per session",
            files="observer.export.nwb:nwb_files",
            binary=True,
            single=".nwb",
            noun="NWB file",
            extra="nwb",
            libraries=("pynwb", "ndx_ethogram"),
        ),
        ExportFormat(
            "bids-events",
            "BIDS events.tsv and events.json per session, in sub-*/ses-*/beh/",
            files="observer.export.bids:bids_files",
        ),
    )
}
