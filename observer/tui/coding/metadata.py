"""What the metadata form gives the coding screen (or the command line does, when it
gives everything): its own module, so that the coding screen's first frame does not
import the form."""

from __future__ import annotations

import attrs

from observer.codebook import Codebook


@attrs.frozen
class Metadata:
    book: Codebook
    dyad: str
    observer: str
    label: str = ""
    passphrase: str | None = attrs.field(default=None, repr=False)
    """Typed on the form (``observer code --passphrase``): the journal and key log are
    also wrapped to it. Never written anywhere, never shown."""
