"""The SMS command language: normalise, parse, one module per keyword, registry."""
