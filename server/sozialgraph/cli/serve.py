"""`sozialgraph serve` and `sozialgraph push`: the app under gunicorn, and a built store copied
into a remote SPARQL 1.1 store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialgraph.cli.options import FAILED, OK, fail, setting_option, store_option
from sozialgraph.store.embedded import open_store
from sozialgraph.web.serve import run_gunicorn


@click.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes (web processes).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1),
              help="Request threads per web process (gunicorn's gthread worker). Each web "
              "process runs at most --query-workers SPARQL queries at once; further "
              "query requests wait for a free query worker.")
@setting_option("QUERY_TIMEOUT")
@setting_option("QUERY_WORKERS", type=click.IntRange(min=1))
@setting_option("PUBLIC_BASE", metavar="URL")
@setting_option("RELEASES_PATH", "releases", type=click.Path(path_type=Path, file_okay=False))
@click.option("--app", "app_factory", default="sozialgraph.web.app:create_app", hidden=True,
              help="module:function of the app factory (for tests).")
@setting_option("REMOTE_ENDPOINT", metavar="URL")
@setting_option("REMOTE_USER")
@setting_option("REMOTE_PASSWORD")
@setting_option("REMOTE_TOKEN")
def serve_command(store, host, port, workers, threads, query_timeout, query_workers,
                  public_base, releases, app_factory, remote_endpoint, remote_user,
                  remote_password, remote_token):
    """Serve the SPARQL endpoint, linked data and UI with gunicorn."""
    app_config = {"QUERY_TIMEOUT": query_timeout, "QUERY_WORKERS": query_workers,
                  "PUBLIC_BASE": public_base, "RELEASES_PATH": str(Path(releases).absolute())}
    if remote_endpoint:
        app_config |= {"REMOTE_ENDPOINT": remote_endpoint, "REMOTE_USER": remote_user,
                       "REMOTE_PASSWORD": remote_password, "REMOTE_TOKEN": remote_token}
    elif not Path(store).exists():
        fail(f"no store at {store}: run `sozialgraph build` first")
    else:
        app_config["STORE_PATH"] = str(Path(store).absolute())
    # Threaded web processes: a web process waits on its query workers, so with one request
    # at a time (gunicorn's sync worker) only one of its QUERY_WORKERS ever ran and the cores
    # sat idle between queries; gthread also keeps connections alive.
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "worker_class": "gthread",
               # gunicorn's worker timeout must outlast the longest query
               "timeout": max(60, int(query_timeout) + 30),
               # no control socket: gunicorn would put one for every instance at the same
               # $HOME/.gunicorn/ path, and stopping one instance removed another's
               "control_socket_disable": True,
               # the longest request line gunicorn takes but for none at all (0): a GET query
               # of about 8 KB; longer queries go by POST, up to MAX_BODY_BYTES
               "limit_request_line": 8190}
    run_gunicorn(app_factory, app_config, options)


@click.command("push")
@click.option("--to", "query_url", metavar="URL",
              help="SPARQL query endpoint of the target store (the URL `serve --remote` takes).")
@store_option
@click.option("--graph-store", metavar="URL", help="Its Graph Store Protocol endpoint [default: "
              "from --to: Oxigraph /query -> /store, Fuseki /<ds>/sparql -> /<ds>/data].")
@click.option("--user", help="User (Basic or Digest, as the store asks).")
@setting_option("PUSH_PASSWORD", "password")
@setting_option("PUSH_TOKEN", "token")
@click.option("--replace/--no-replace", default=True, show_default=True,
              help="Replace the graphs the store already holds (and remove graphs of the "
              "project this build no longer has), or stop before writing if any holds triples.")
@click.option("--method", type=click.Choice(["dataset", "graphs"]), default="dataset",
              show_default=True, help="dataset: one N-Quads stream (keeps blank nodes shared "
              "between graphs); graphs: one Graph Store PUT per graph.")
@click.option("--default-graph/--no-default-graph", default=True, show_default=True,
              help="Also write the merge of the asserted graphs into the store's default graph.")
@click.option("--nquads", "nquads_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write what would be pushed to this N-Quads file instead (for offline "
              "loaders such as QLever's).")
def push_command(query_url, store, graph_store, user, password, token, replace, method,
                 default_graph, nquads_file):
    """Copy the built dataset (every named graph, the inferred one included, and the default
    graph) into a SPARQL 1.1 store, then count every graph there.

    Exit 0 when every count matches, 1 when one differs or --no-replace found graphs in the way,
    2 when the push could not be done (the HTTP status and answer are printed).
    """
    from sozialgraph.store.http import Credentials, HttpClient, check_url, split_credentials
    from sozialgraph.store.push import (
        Pusher,
        PushError,
        PushRefused,
        derive_graph_store,
        write_nquads,
    )

    if (query_url is None) == (nquads_file is None):
        fail("give either --to URL or --nquads FILE")
    try:
        source = open_store(store)
    except OSError as error:
        fail(str(error))

    def progress(line: str) -> None:
        click.echo(line, err=True)

    if nquads_file is not None:
        counted = write_nquads(source, nquads_file, default_graph)
        for item in counted:
            click.echo(f"{item.name} {item.local}")
        click.echo(f"{sum(c.local for c in counted)} quads written to {nquads_file}")
        return
    try:
        query_url, in_url = split_credentials(check_url(query_url))
        gsp = split_credentials(check_url(graph_store))[0] if graph_store \
            else derive_graph_store(query_url)
    except (ValueError, PushError) as error:
        fail(str(error))
    credentials = Credentials(user, password, token) if (user or token) else in_url
    progress(f"pushing {store} to {gsp} (queries: {query_url})")
    pusher = Pusher(source, query_url, gsp, HttpClient(credentials), progress)
    try:
        report = pusher.push(method=method, replace=replace, default_graph=default_graph)
    except PushRefused as refusal:
        fail(str(refusal), FAILED)
    except PushError as error:
        fail(f"push failed: {error}")
    click.echo(report.table(), nl=False)
    for line in report.removed:
        click.echo(f"removed {line} (not in this build)")
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for line in report.problems:
        click.echo(f"error: {line}", err=True)
    sys.exit(OK if report.ok else FAILED)
