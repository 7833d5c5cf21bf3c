#!/usr/bin/env python3
"""SLL Gateway: the one command line. `python run_gateway.py --help`."""
from __future__ import annotations

import click

from cli import admin, ask, digest, report, runtime, serve
from cli import demo_data, imports, tokens
from cli import backups as backups_cli
from cli import questions as questions_cli
from cli import sim as sim_cli
from cli import web as web_cli
from cli.context import App, setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
              help="config.toml to use (default: SLL_CONFIG or ./config.toml next to this file).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.pass_context
def main(ctx, config_path, verbose):
    """SLL Gateway: the SMS-first school contact book."""
    setup_logging(verbose)
    ctx.obj = App(config_path)


# The explicit list of commands; each lives in its own cli/ module.
main.add_command(admin.init)
main.add_command(admin.backup)
main.add_command(backups_cli.restore)
main.add_command(admin.user)
main.add_command(admin.school)
main.add_command(ask.ask)
main.add_command(runtime.gateway)
main.add_command(runtime.worker)
main.add_command(digest.digest)
main.add_command(serve.serve)
main.add_command(serve.jobs)
main.add_command(serve.demo)
main.add_command(report.report)
main.add_command(imports.import_cmd)
main.add_command(demo_data.demo_data)
main.add_command(sim_cli.sim)
main.add_command(web_cli.web)
main.add_command(tokens.token)
main.add_command(questions_cli.questions)  # the question bank (SPEC §15)

if __name__ == "__main__":
    main()
