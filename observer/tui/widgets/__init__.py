"""Widgets shared by the coding and replay screens."""
