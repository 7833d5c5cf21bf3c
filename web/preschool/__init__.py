"""Kindergarten pages: daily notes, pickups and weighing for staff (entry), the parents' view (parents)."""
