"""Agendas: the definition of a session (segments, prompts, the plan's strategies), read from
TOML files, written back, translated, kept in the library folder or saved by a facilitator.

The package's public names are the agenda's shape and its parser; the modules below hold the
rest (`library`, `store`, `toml_writer`, `outline`, `translations`, `text`).
"""
