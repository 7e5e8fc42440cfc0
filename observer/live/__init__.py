"""Live coding core (no textual): clock, recorder, journal, recovery, session ids.

``clock``: monotonic key times to session time. ``recorder``: the session being
coded (keys in, events out). ``journal``: the durable action log and its reader.
``recovery``: normal finish and crash recovery. ``ids``: safe session ids.
"""
