"""A whole study: the sessions under some folders, their double-coded pairs, agreement
per pair, per observer over time and per code, and plans for the next double coding.

No textual: ``observer reliability`` (observer/cli/reliability.py) only calls into it.
"""
