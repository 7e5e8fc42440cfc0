"""observer: live coding of parent-child play observations in the terminal."""

__version__ = "0.1.0"
