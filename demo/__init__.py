"""The demo school generator: the files `import` reads and the rows a demo server seeds, per level and domain.

Above store/ (it writes files and calls the store as any client does); nothing in store/ imports it.
"""
