"""The ``observer consensus`` screen."""
