"""The `sozialgraph` command: commands only, one module per group (`build`, `data`, `anchor`,
`serve`), each parsing its options and calling into the packages below; `main` is the group,
`options` what the commands share. Nothing imports it."""

from sozialgraph.cli.main import main

__all__ = ["main"]
