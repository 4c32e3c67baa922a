"""Sozialgraph: an open knowledge graph of social policy in Hessen."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sozialgraph")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
