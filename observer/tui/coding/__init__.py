"""``observer code``: the metadata form, the coding screen and the end flow."""
