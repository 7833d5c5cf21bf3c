"""`sim`: the SMSC simulator (smpp34 scripted like a real SMSC); `sim mo`: text it as a parent."""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading

import click

from sim import Behaviour, SimConfigError, SimError, Simulator
from sim.client import DEFAULT_URL, ask
from sim.errors import NoReceiverError, SimNotRunningError, SimTimeoutError

logger = logging.getLogger(__name__)


def _parse_set(values: tuple[str, ...]) -> dict:
    out = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use KEY=VALUE", param_hint="--set")
        try:
            out[key.strip()] = json.loads(raw)
        except ValueError:
            out[key.strip()] = raw
    return out


def _parse_fail(values: tuple[str, ...]) -> dict:
    out = {}
    for item in values:
        dest, sep, state = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use PHONE=STATE (e.g. 0912345678=UNDELIV)", param_hint="--fail")
        out[dest] = state.upper()
    return out


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the SMPP port listens on.")
@click.option("--port", default=2775, show_default=True, type=int, help="SMPP port.")
@click.option("--control-port", type=int, help="HTTP control API port (default: SMPP port + 1; -1 = none).")
@click.option("--system-id", help="Accepted system_id (default: any).")
@click.option("--password", envvar="SLL_SIM_PASSWORD", help="Accepted password (default: any; env SLL_SIM_PASSWORD).")
@click.option("--tps", type=float, default=0, help="Accepted submit_sm per second per system_id; above: ESME_RTHROTTLED.")
@click.option("--queue-full", "queue_full_probability", type=float, default=0.0,
              help="Probability of answering ESME_RMSGQFUL at random.")
@click.option("--receipt-delay", type=float, default=0.05, show_default=True, help="Seconds before the final receipt.")
@click.option("--final-state", type=click.Choice(["DELIVRD", "UNDELIV", "EXPIRED", "REJECTD"]), default="DELIVRD",
              show_default=True)
@click.option("--fail", multiple=True, metavar="PHONE=STATE", help="Final state for one destination (repeatable).")
@click.option("--receipt-form", type=click.Choice(["both", "text", "tlv"]), default="both", show_default=True)
@click.option("--id-format", type=click.Choice(["hex", "dec"]), default="hex", show_default=True)
@click.option("--receipt-id-format", type=click.Choice(["hex", "dec"]), help="Id base in receipts (default: same).")
@click.option("--intermediate", multiple=True, type=click.Choice(["ACCEPTD", "ENROUTE"]),
              help="Intermediate receipt(s) before the final one (repeatable).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the random answers.")
@click.option("--set", "extra", multiple=True, metavar="KEY=VALUE",
              help="Any other behaviour setting, JSON value (e.g. --set receipt_copies=2).")
@click.pass_context
def sim(ctx, host, port, control_port, system_id, password, tps, queue_full_probability, receipt_delay,
        final_state, fail, receipt_form, id_format, receipt_id_format, intermediate, seed, extra):
    """Run the SMSC simulator until SIGTERM or Ctrl-C (or see `sim mo`)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = dict(system_id=system_id, password=password, tps=tps,
                    queue_full_probability=queue_full_probability, receipt_delay=receipt_delay,
                    final_state=final_state, final_state_by_dest=_parse_fail(fail), receipt_form=receipt_form,
                    id_format=id_format, receipt_id_format=receipt_id_format, intermediate=intermediate, seed=seed)
    settings.update(_parse_set(extra))
    try:
        behaviour = Behaviour().replace(**settings)
    except SimConfigError as e:
        raise click.ClickException(f"bad simulator setting {e}") from e
    if control_port is None:
        control_port = port + 1 if port else 0
    simulator = Simulator(behaviour, host=host, port=port, control_port=None if control_port < 0 else control_port)
    try:
        simulator.start()
    except (OSError, SimError) as e:
        raise click.ClickException(f"cannot start the simulator on {host}:{port}: {e}") from e
    click.echo(f"SMSC simulator listening on {host}:{simulator.port} "
               f"(system_id {system_id or 'any'}, password {'set' if password else 'any'})")
    if simulator.control_url:
        click.echo(f"control API: {simulator.control_url}   try: python run_gateway.py sim mo 0912345678 "
                   f"\"DIEM TOAN HK1\" --control {simulator.control_url}")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if os.environ.get("SLL_SUPERVISED"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # `demo` stops it last, with SIGTERM
    # Poll: the signal may land on one of smpp34's threads, which does not wake a plain wait().
    while not stop.wait(0.2):
        pass
    simulator.stop()
    click.echo("simulator stopped")
    # smpp34's tokio threads outlive the interpreter's finalisation and have
    # crashed it at exit (about 1 run in 60): leave without finalising.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@sim.command("mo")
@click.argument("phone")
@click.argument("text")
@click.option("--control", "url", default=DEFAULT_URL, show_default=True, envvar="SLL_SIM_CONTROL",
              help="Control API of the running simulator (env SLL_SIM_CONTROL).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds to wait for the reply.")
def sim_mo(phone, text, url, timeout):
    """Make the running simulator deliver TEXT from PHONE; print the reply that comes back."""
    try:
        replies = ask(phone, text, url=url, timeout=timeout)
    except SimNotRunningError as e:
        raise click.ClickException(f"no simulator at {url} ({e.reason}): start one with "
                                   "`python run_gateway.py sim`") from e
    except NoReceiverError as e:
        raise click.ClickException(f"the simulator has no receiver bind within {timeout:g} s: "
                                   "is the gateway running and bound?") from e
    except SimTimeoutError as e:
        raise click.ClickException(f"no reply within {timeout:g} s") from e
    except SimError as e:
        raise click.ClickException(str(e)) from e
    for reply in replies:
        click.echo(reply)
