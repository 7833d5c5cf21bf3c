#!/usr/bin/env python3
"""SLL Gateway: the one command line. `python run_gateway.py --help`."""
from __future__ import annotations

import click

from cli.context import App, setup_logging
from cli.lazy import LazyGroup

# The explicit list of commands; each lives in its own cli/ module, imported only when it runs.
COMMANDS = {
    "init": "cli.admin:init",
    "backup": "cli.admin:backup",
    "restore": "cli.backups:restore",
    "user": "cli.admin:user",
    "school": "cli.admin:school",
    "ask": "cli.ask:ask",
    "gateway": "cli.runtime:gateway",
    "worker": "cli.runtime:worker",
    "digest": "cli.digest:digest",
    "serve": "cli.serve:serve",
    "jobs": "cli.serve:jobs",
    "demo": "cli.serve:demo",
    "report": "cli.report:report",
    "import": "cli.imports:import_cmd",
    "demo-data": "cli.demo_data:demo_data",
    "sim": "cli.sim:sim",
    "web": "cli.web:web",
    "token": "cli.tokens:token",
    "questions": "cli.questions:questions",    # the question bank (SPEC §15)
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
              help="config.toml to use (default: SLL_CONFIG or ./config.toml next to this file).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.pass_context
def main(ctx, config_path, verbose):
    """SLL Gateway: the SMS-first school contact book."""
    setup_logging(verbose)
    ctx.obj = App(config_path)


if __name__ == "__main__":
    main()
