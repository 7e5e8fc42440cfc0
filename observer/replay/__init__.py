"""Replay and review, without a terminal: lanes, columns, the playhead, navigation.

``timeline`` maps a session's events onto lanes and terminal columns for a time
window; ``index`` answers "what runs at t", "where is the next note" and filters;
``playhead`` is the playback clock. The screen in ``observer.tui.replay`` draws
what these compute; reviews themselves live in ``observer.review``.
"""
