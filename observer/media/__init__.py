"""Media: the video a session is coded from or reviewed against, played by mpv.

``observer.media.mpv`` starts mpv and drives it over its JSON IPC;
``observer.media.position`` is the playhead model (position at a key's arrival);
``observer.media.identity`` describes the file for the session's ``media`` field.
No UI here: the coding and replay screens call into it.
"""
