"""The `sozialgraph` command: commands only, each parsing its options and calling into the
packages below. Nothing imports it."""

from sozialgraph.cli.main import main

__all__ = ["main"]
