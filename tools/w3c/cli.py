"""`sozialgraph conformance` (placeholder, filled below)."""
import click


@click.command("conformance")
def conformance_command():
    """Run the W3C suites."""
