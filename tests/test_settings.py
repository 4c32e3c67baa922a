"""The settings table: one row per setting, read from the environment with clear errors, the
same rows behind the app's configuration, `serve`'s options and the README's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sozialgraph import settings
from sozialgraph.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_environment_values_are_typed_and_bad_ones_named():
    environ = {"SOZIALGRAPH_QUERY_TIMEOUT": "2.5", "SOZIALGRAPH_QUERY_WORKERS": "3",
               "SOZIALGRAPH_QUERY_ISOLATE_NETWORK": "off", "SOZIALGRAPH_STORE": "/srv/x",
               "SOZIALGRAPH_PUBLIC_BASE": "", "UNRELATED": "1"}
    assert settings.from_environment(environ) == {
        "QUERY_TIMEOUT": 2.5, "QUERY_WORKERS": 3, "QUERY_ISOLATE_NETWORK": False,
        "STORE_PATH": "/srv/x"}
    with pytest.raises(ValueError, match="SOZIALGRAPH_QUERY_WORKERS must be a whole number, not 'two'"):
        settings.from_environment({"SOZIALGRAPH_QUERY_WORKERS": "two"})
    with pytest.raises(ValueError, match="SOZIALGRAPH_QUERY_ISOLATE_NETWORK must be true or"):
        settings.from_environment({"SOZIALGRAPH_QUERY_ISOLATE_NETWORK": "maybe"})


def test_resolve_orders_defaults_environment_and_overrides(monkeypatch):
    monkeypatch.setenv("SOZIALGRAPH_MAX_RESULT_ROWS", "7")
    monkeypatch.setenv("SOZIALGRAPH_QUERY_TIMEOUT", "9")
    resolved = settings.resolve({"QUERY_TIMEOUT": 1.0})
    assert resolved["MAX_RESULT_ROWS"] == 7
    assert resolved["QUERY_TIMEOUT"] == 1.0
    assert resolved["VALIDATE_WORKERS"] == settings.BY_KEY["VALIDATE_WORKERS"].default
    assert set(resolved) == set(settings.BY_KEY)


def test_commands_offer_every_setting_that_has_an_option():
    for setting in settings.SETTINGS:
        if setting.option:
            help_text = CliRunner().invoke(main, [setting.command, "--help"],
                                           terminal_width=200).stdout
            assert setting.option in help_text, setting.key
            assert setting.variable in help_text, setting.key


def test_the_readme_lists_every_setting_with_its_variable_and_default():
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(SOZIALGRAPH_\w+)` \| (.*?) \| (.*?) \|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    for setting in settings.SETTINGS:
        assert setting.variable in rows, setting.key
        if setting.default is not None and setting.key not in ("STORE_PATH", "RELEASES_PATH"):
            assert rows[setting.variable] == f"`{setting.default}`", setting.key
        elif setting.default is not None:  # a folder of the checkout: its name, not the path
            assert rows[setting.variable].startswith(f"`{Path(setting.default).name}/`")
