"""Reaching the families: why a message did not arrive in plain Vietnamese, who it was for, fixing a number."""
