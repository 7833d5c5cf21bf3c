"""The bottom layer: SQLite via sqlite-utils, one package per floor and per domain.

Floors, from the bottom up (tests/test_store_floors.py enforces the direction):
core -> rules -> school -> review -> messaging -> the import machinery (imports: base, errors, headers,
readers, values, ...) -> the domains (secondary, primary, preschool, staff, community, questions, library),
which never import each other -> the registries (registry/, imports' kinds, registry and runner).
"""
