"""Kindergarten (mầm non, SPEC §11): the preschool rules, daily notes, pickups, growth and stage assessment."""
