"""What the commands share: exit codes, the error exit, and options derived from the settings
table (sozialgraph.settings: the option's name, default, environment variable and help come from
the setting's row).

Exit codes follow pySHACL's convention for every command that checks something: 0 all well,
1 the check failed (violations, an ambiguous or missing quote), 2 the command could not load its
input or run (syntax errors are reported as `file:line: message`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialgraph.settings import BY_KEY

OK, FAILED, UNABLE = 0, 1, 2


def fail(message: str, code: int = UNABLE):
    """Print `error: message` on stderr and exit with `code`."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def setting_option(key: str, name: str | None = None, **extra):
    """The click option of setting `key` (its `option` name), reading its environment
    variable, passed to the command as `name` (default: the key in lower case); `extra` adds or
    replaces click arguments (type, metavar, ...)."""
    setting = BY_KEY[key]
    if setting.option is None:
        raise ValueError(f"setting {key} has no command-line option")
    arguments = {
        "default": setting.default,
        "envvar": setting.variable,
        "show_default": setting.default is not None and "password" not in key.lower(),
        "help": f"{setting.help} Env: {setting.variable}.",
    }
    if setting.kind in (int, float, bool):
        arguments["type"] = setting.kind
    arguments.update(extra)
    return click.option(setting.option, name or key.lower(), **arguments)


store_option = setting_option("STORE_PATH", "store", type=click.Path(path_type=Path))
