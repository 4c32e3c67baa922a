"""The `sozialgraph` command line: build, validate, query, stats, anchor, serve, push,
load, extract, promote, release, synth, bench.

Exit codes follow pySHACL's convention for every command that checks something: 0 all well,
1 the check failed (violations, an ambiguous or missing quote), 2 the command could not load its
input or run (syntax errors are reported as `file:line: message`).
"""

from __future__ import annotations

from importlib.metadata import entry_points

import click

from sozialgraph.cli import anchor, build, data, extract, promote, release, serve


class _Commands(click.Group):
    """The commands defined here, plus those other installed packages add through the entry
    point group `sozialgraph.commands` (the developer tools' `bench` and `synth`), loaded only
    when asked for."""

    GROUP = "sozialgraph.commands"

    def _plugins(self) -> dict:
        return {ep.name: ep for ep in entry_points(group=self.GROUP)}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in self._plugins():
            command = self._plugins()[name].load()
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sozialgraph")
def main():
    """Sozialgraph: the knowledge graph of social policy in Hessen, built, checked and served."""


for command in (build.build_command, build.validate_command, data.query_command,
                data.stats_command, anchor.anchor_command, serve.serve_command,
                serve.push_command, data.load_command, extract.extract_command,
                promote.promote_command, release.release_command):
    main.add_command(command)
