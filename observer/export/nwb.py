"""Neurodata Without Borders (NWB 2.x, HDF5), one file per session, through pynwb.

Laid out as neuroconv lays out a BORIS observation, with the ndx-ethogram extension
for the coding scheme and the bouts and NWB's own ``EventsTable`` for the moments:

- ``processing/behavior/ethogram`` (``Ethogram``): one row per code of the codebook
  (``behavior`` the code id, ``definition`` its definition or else its label,
  ``behavior_type`` state or point, ``category`` its group; and ``label``, ``actor``,
  ``key``).
- ``processing/behavior/bouts`` (``EthogramBouts``, a ``TimeIntervals``): one row per
  state event, ``start_time``/``stop_time`` in seconds on the session clock, ``label``
  the code id, and ``actor``, ``group``, ``modifiers`` (``name=value;...``), ``segment``
  and ``flags`` as in the CSV; ``labeling_method`` ``manual``, ``annotator`` the
  observer, ``source_software`` observer and its version, linked to the ethogram and
  to the video.
- ``events/point_events`` (``EventsTable``): one row per point event, ``timestamp``
  and the same columns.
- ``events/notes`` (``EventsTable``): the session's notes and sync marks (``text``,
  ``kind``).
- ``acquisition/video`` (``ImageSeries``, an external file), when the session has
  ``media``: the file's name, its frame rate, ``starting_time`` the session time of
  the video's start (minus the media offset); its size and quick hash in the
  description.
- The file: ``identifier`` and ``session_id`` the session id, ``session_start_time``
  its ``started_at``, ``experimenter`` the observer, ``subject`` the dyad,
  ``protocol`` the codebook id and version, ``notes`` the session's status.

Nothing here touches the disk: each file is made in memory and handed on as bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from observer import __version__
from observer.errors import InputError
from observer.export import modifier_text
from observer.sessionfile import Session, segment_finder


def _data(values: list[Any]) -> Any:
    """A column's values as hdmf writes them fast: numbers as an array; text as one
    chunk (given as a list or an array, hdmf looks at every string on its own to see
    whether it is a reference: seconds for 100,000 rows)."""
    import numpy as np

    array = np.array(values)
    if array.dtype.kind != "U" or len(array) == 0:
        return array
    return _whole(array.astype(object))


def _whole(array: Any) -> Any:
    """``array`` as a chunk iterator of one chunk, the whole column."""
    import numpy as np
    from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

    class Whole(AbstractDataChunkIterator):  # type: ignore[misc]
        def __init__(self) -> None:
            self.done = False

        def __iter__(self) -> Whole:
            return self

        def __next__(self) -> Any:
            if self.done:
                raise StopIteration
            self.done = True
            return DataChunk(data=array, selection=np.s_[0 : len(array)])

        def recommended_chunk_shape(self) -> None:
            return None

        def recommended_data_shape(self) -> tuple[int]:
            return (len(array),)

        @property
        def dtype(self) -> Any:
            return array.dtype

        @property
        def maxshape(self) -> tuple[int]:
            return (len(array),)

    return Whole()


def _columns(table_type: Any, values: dict[str, tuple[str, list[Any]]]) -> list[Any]:
    return [
        table_type(name=name, description=doc, data=_data(data))
        for name, (doc, data) in values.items()
    ]


def nwb_bytes(session: Session) -> bytes:
    """The session as one NWB file (HDF5 bytes)."""
    import h5py
    import numpy as np
    from hdmf.common import VectorData
    from ndx_ethogram import Ethogram, EthogramBouts
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.event import EventsTable, TimestampVectorData
    from pynwb.file import Subject
    from pynwb.image import ImageSeries

    book = session.book
    try:
        start = datetime.fromisoformat(session.started_at)
    except ValueError:
        message = "is not a date and time; NWB needs one for session_start_time"
        raise InputError.one(session.id, "started_at", message) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    nwb = NWBFile(
        session_description=session.label or f"{book.title}, coded with observer",
        identifier=session.id,
        session_start_time=start,
        session_id=session.id,
        experimenter=[session.observer] if session.observer else None,
        subject=Subject(subject_id=session.dyad, description="the dyad observed"),
        protocol=f"{book.id} {book.version}",
        notes=f"status: {session.status}",
        source_script=f"observer {__version__}",
        source_script_file_name="observer export --format nwb",
    )
    video = None
    if session.media is not None:
        m = session.media
        timing: dict[str, Any] = (
            {"rate": m.fps, "starting_time": -m.offset, "num_samples": round(m.duration * m.fps)}
            if m.fps
            else {"timestamps": np.array([-m.offset]), "num_samples": 1}
        )
        video = ImageSeries(
            name="video",
            description=f"the video coded ({m.bytes} bytes, duration {m.duration} s,"
            f" sha256 of size and first and last MiB {m.sha256_head_tail})",
            external_file=[m.file],
            format="external",
            starting_frame=[0],
            **timing,
        )
        nwb.add_acquisition(video)

    behavior = nwb.create_processing_module(
        name="behavior", description=f"Codes of {book.id} {book.version}, coded by hand"
    )
    catalogue = Ethogram(
        name="ethogram",
        description=f"Codebook {book.id} {book.version}: {book.title}",
        exclusive=False,
        id=np.arange(len(book.codes)),
        columns=_columns(
            VectorData,
            {
                "behavior": ("the code id", [c.id for c in book.codes]),
                "definition": (
                    "the definition (else the label)",
                    [c.definition or c.label for c in book.codes],
                ),
                "behavior_type": ("state or point", [c.kind for c in book.codes]),
                "category": ("the code's group", [c.group for c in book.codes]),
                "label": ("the code's label", [c.label for c in book.codes]),
                "actor": ("who the code describes", [c.actor for c in book.codes]),
                "key": ("the key that codes it", [c.key for c in book.codes]),
            },
        ),
    )
    behavior.add(catalogue)

    codes = book.code_by_id
    segment_at = segment_finder(session)
    states: dict[str, list[Any]] = {k: [] for k in ("start_time", "stop_time", "label")}
    points: dict[str, list[Any]] = {"timestamp": [], "label": []}
    extra = ("actor", "group", "modifiers", "segment", "flags")
    for rows in (states, points):
        rows.update({k: [] for k in extra})
    for event in session.events:
        code = codes[event.code]
        if event.end is None:
            rows = points
            points["timestamp"].append(event.start)
        else:
            rows = states
            states["start_time"].append(event.start)
            states["stop_time"].append(event.end)
        rows["label"].append(code.id)
        rows["actor"].append(code.actor)
        rows["group"].append(code.group)
        rows["modifiers"].append(modifier_text(event.modifiers, code.modifiers))
        rows["segment"].append(segment_at(event.start))
        rows["flags"].append(";".join(event.flags))
    docs = {
        "start_time": "start of the state, s on the session clock",
        "stop_time": "end of the state, s on the session clock",
        "timestamp": "time of the point event, s on the session clock",
        "label": "the code id (a row of the ethogram)",
        "actor": "the code's actor",
        "group": "the code's group",
        "modifiers": "name=value;... (modifier and value ids), empty when none",
        "segment": "the segment the event starts in, empty outside any",
        "flags": "the event's flags, ;-joined, empty when none",
    }
    if states["label"]:
        bouts = EthogramBouts(
            name="bouts",
            description="State events: one row per bout",
            labeling_method="manual",
            annotator=session.observer,
            source_software=f"observer {__version__}",
            ethogram=catalogue,
            id=np.arange(len(states["label"])),
            columns=_columns(VectorData, {k: (docs[k], v) for k, v in states.items()}),
            **({"source_video": video} if video is not None else {}),
        )
        behavior.add(bouts)
    if points["label"]:
        stamps = TimestampVectorData(
            name="timestamp", description=docs["timestamp"], data=np.array(points.pop("timestamp"))
        )
        rest = _columns(VectorData, {k: (docs[k], v) for k, v in points.items()})
        nwb.add_events_table(
            EventsTable(
                name="point_events",
                description="Point events",
                id=np.arange(len(stamps.data)),
                columns=[stamps, *rest],
            )
        )
    if session.notes:
        note_stamps = TimestampVectorData(
            name="timestamp",
            description="time of the note, s on the session clock",
            data=np.array([n.t for n in session.notes]),
        )
        note_columns = _columns(
            VectorData,
            {
                "text": ("the note's text", [n.text for n in session.notes]),
                "kind": ("note, or sync (a sync mark)", [n.kind for n in session.notes]),
            },
        )
        nwb.add_events_table(
            EventsTable(
                name="notes",
                description="Notes",
                id=np.arange(len(session.notes)),
                columns=[note_stamps, *note_columns],
            )
        )

    out = io.BytesIO()
    with h5py.File(out, "w") as h5, NWBHDF5IO(file=h5, mode="w") as writer:
        writer.write(nwb)
    return out.getvalue()


def nwb_files(sessions: Iterable[Session]) -> Iterator[tuple[str, bytes]]:
    """``(file name, bytes)``: ``<session id>.nwb`` for each session as it comes."""
    for session in sessions:
        yield f"{session.id}.nwb", nwb_bytes(session)
