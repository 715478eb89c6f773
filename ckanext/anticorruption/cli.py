"""The ``ckan anticorruption …`` command group."""
from __future__ import annotations

import click

__all__ = ["get_commands"]


@click.group(short_help="Anti-corruption datasets: demo data and maintenance")
def anticorruption() -> None:
    """Commands of ckanext-anticorruption."""


@anticorruption.command()
@click.option(
    "--user",
    default="admin",
    show_default=True,
    help="Sysadmin in whose name the demo data is created.",
)
def demo(user: str) -> None:
    """Load the demo agencies, datasets and files (existing ones are kept)."""
    from ckanext.anticorruption.demo import DemoError, load_demo

    try:
        for line in load_demo(user):
            click.echo(line)
    except DemoError as e:
        raise click.ClickException(str(e)) from e


def get_commands() -> list[click.Command]:
    return [anticorruption]
