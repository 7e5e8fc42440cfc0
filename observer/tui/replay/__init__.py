"""The ``observer replay`` screen: timeline, playback, reviews, compare mode."""
