"""Citable releases: a versioned, checksummed copy of a build in `dist/sozialgraph-X.Y.Z/`, with
a DCAT and VoID description and a changelog computed against the previous release.

`write` makes a release from a built store, `diff` computes the changelog, `describe` writes the
description, `catalogue` reads the releases a folder holds (for the web pages and the CLI)."""
