"""The terminal screens (Textual). Everything here may import textual; the core may not."""
