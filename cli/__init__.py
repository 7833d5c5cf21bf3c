"""The command line: one module per command group; run_gateway.py assembles them."""
