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


@anticorruption.command()
@click.option("--resource", "resource_ids", multiple=True, help="A resource id (repeatable).")
@click.option("--dataset", "datasets", multiple=True, help="A dataset name or id (repeatable).")
@click.option("--type", "type_ids", multiple=True, help="A dataset type, e.g. contracts_register (repeatable).")
@click.option("--all", "everything", is_flag=True, help="Every resource of every Guide type.")
@click.option("--background", is_flag=True, help="Queue the runs for `ckan jobs worker` instead.")
def validate(resource_ids: tuple[str, ...], datasets: tuple[str, ...], type_ids: tuple[str, ...],
             everything: bool, background: bool) -> None:
    """Validate resources against their Table Schemas and print a summary."""
    import ckan.plugins.toolkit as tk

    from ckanext.anticorruption.dataset_types.types import dataset_types

    if not (resource_ids or datasets or type_ids or everything):
        raise click.UsageError("Say what to validate: --resource, --dataset, --type or --all")
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    unknown = set(type_ids) - set(dataset_types())
    if unknown:
        raise click.BadParameter(f"unknown dataset type: {', '.join(sorted(unknown))}", param_hint="--type")

    targets: list[tuple[str, str, str]] = []  # (dataset name, resource id, resource name)
    for rid in resource_ids:
        try:
            res = tk.get_action("resource_show")(dict(context), {"id": rid})
        except tk.ObjectNotFound:
            raise click.BadParameter(f"no resource {rid}", param_hint="--resource") from None
        targets.append((res["package_id"], res["id"], res.get("name") or res["id"]))
    packages = []
    for name in datasets:
        try:
            packages.append(tk.get_action("package_show")(dict(context), {"id": name}))
        except tk.ObjectNotFound:
            raise click.BadParameter(f"no dataset {name}", param_hint="--dataset") from None
    wanted_types = list(dataset_types()) if everything else list(type_ids)
    if wanted_types:
        fq = "dataset_type:(" + " OR ".join(wanted_types) + ")"
        start = 0
        while True:
            page = tk.get_action("package_search")(dict(context), {
                "fq": fq, "rows": 100, "start": start, "include_private": True})
            packages.extend(page["results"])
            start += 100
            if start >= page["count"]:
                break
    for pkg in packages:
        targets.extend((pkg["name"], r["id"], r.get("name") or r["id"]) for r in pkg.get("resources", []))

    results = []
    with click.progressbar(targets, label="Validating", item_show_func=lambda t: t and t[2]) as bar:
        for dataset, rid, name in bar:
            run = tk.get_action("anticorruption_validation_run")(
                dict(context), {"id": rid, "background": background})
            results.append((dataset, name, run))

    click.echo()
    click.echo(f"{'dataset':32} {'resource':32} {'state':14} {'rows':>10} {'errors':>8}")
    for dataset, name, run in results:
        click.echo(f"{dataset[:32]:32} {name[:32]:32} {run['state']:14} "
                   f"{run['rows_checked']:>10} {run['error_count']:>8}")
    counts: dict[str, int] = {}
    for _, _, run in results:
        counts[run["state"]] = counts.get(run["state"], 0) + 1
    click.echo("Total: " + (", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing to validate"))


@anticorruption.group()
def coverage() -> None:
    """Coverage of the Guide's datasets: snapshots for the trend charts."""


@coverage.command()
def snapshot() -> None:
    """Record the coverage as the public sees it now (also done daily by the jobs worker)."""
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    summary = tk.get_action("anticorruption_coverage_snapshot")({"user": site_user["name"]}, {})
    click.echo(f"Snapshot {summary['taken'][:19]}: {summary['organizations']} agencies, "
               f"{summary['published']} of {summary['expected']} expected datasets published, "
               f"{summary['valid_and_fresh']} valid and up to date, national score {summary['score']}.")


@coverage.command()
def schedule() -> None:
    """Show when the daily snapshot runs next, scheduling it if it is not."""
    from ckanext.anticorruption.coverage import schedule as coverage_jobs

    coverage_jobs.ensure_scheduled()
    import ckan.lib.jobs as ckan_jobs

    registry = ckan_jobs.get_queue().scheduled_job_registry
    if coverage_jobs.JOB_ID not in registry.get_job_ids():
        raise click.ClickException("The daily snapshot is not scheduled "
                                   "(ckanext.anticorruption.coverage.snapshot_hour is -1, or Redis is down).")
    when = registry.get_scheduled_time(coverage_jobs.JOB_ID)
    click.echo(f"Next daily coverage snapshot: {when.isoformat()} (run by `ckan jobs worker`).")


@anticorruption.command()
@click.option("--dataset", help="Only this dataset (name or id): an award dataset or a sanctions register.")
@click.option("--public", "as_public", is_flag=True, help="Show only what an anonymous visitor sees.")
@click.option("--json", "as_json", is_flag=True, help="Print the action's JSON instead of a table.")
def links(dataset: str | None, as_public: bool, as_json: bool) -> None:
    """Red flags: suppliers of contracts, tenders, grants and contractor lists found
    in sanctions registers. The index is filled when files are checked; after an
    upgrade, `ckan anticorruption validate --all` fills it for existing files."""
    import json

    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": "" if as_public else site_user["name"]}
    try:
        result = tk.get_action("anticorruption_identifier_matches")(context, {"id": dataset} if dataset else {})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise click.BadParameter(f"no dataset {dataset} (or it is not visible)", param_hint="--dataset") from None
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    datasets = [result] if dataset else result["datasets"]
    if not any(d.get("suppliers") or d.get("sanctioned") for d in datasets):
        click.echo("No supplier of an award dataset appears in a register that raises flags.")
        return
    for entry in datasets:
        name = (entry.get("dataset") or {}).get("name", "?")
        if entry.get("suppliers"):
            click.echo(f"{name}: {entry['supplier_count']} supplier(s) in registers that raise flags "
                       f"({entry['probable_count']} by name only), {entry['in_force_count']} listed at the time "
                       "of an award")
            _echo_suppliers(entry["suppliers"])
        if entry.get("sanctioned"):
            click.echo(f"{name}: {len(entry['sanctioned'])} supplier(s) of this register appear in award datasets")
            _echo_suppliers(entry["sanctioned"])


def _echo_suppliers(suppliers: list[dict]) -> None:
    for supplier in suppliers:
        shown = supplier["identifier"] or "(natural person, withheld)"
        label = f"  {supplier['label']}" if supplier.get("label") and not supplier["withheld"] else ""
        click.echo(f"  {supplier['scheme']:8} {shown:28} {supplier['rows']:>8} row(s){label}")
        for found in supplier["entries"]:
            where = (found.get("dataset") or {}).get("name", "?")
            state = {True: "IN FORCE " + ", ".join(found["dates_in_force"][:3]), False: "outside the period",
                     None: "no dates to compare"}[found["in_force"]]
            reason = ""
            if found["tier"] == "probable" and found.get("names"):
                reason = f"  same name: {found['names'][0]!r} ~ {found['names'][1]!r}"
            click.echo(f"      {found['tier']:9} {where}: {state}{reason}")


@anticorruption.command()
@click.option("--queue", "queues", multiple=True, help="A queue to listen to (repeatable; default: CKAN's).")
def worker(queues: tuple[str, ...]) -> None:
    """Run `ckan jobs worker` and start it again whenever it exits (as systemd's Restart=always)."""
    import os
    import signal
    import sys

    from ckan.plugins import toolkit as tk

    from ckanext.anticorruption.uploads.supervisor import Supervisor

    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    command = [ckan, "-c", tk.config["__file__"], "jobs", "worker", *queues]
    supervisor = Supervisor(command, say=lambda line: click.echo(f"[anticorruption worker] {line}", err=True))
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    supervisor.run()


def get_commands() -> list[click.Command]:
    return [anticorruption]
