"""Command-line options derived from the settings table (sozialgraph.settings): the option's
name, default, environment variable and help come from the setting's row."""

from __future__ import annotations

from pathlib import Path

import click

from sozialgraph.settings import BY_KEY


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
