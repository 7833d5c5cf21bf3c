"""The bottom layer: SQLite via sqlite-utils, grade rules, imports."""
