"""The library's keyword: TV (a staff member's search of the school library)."""
