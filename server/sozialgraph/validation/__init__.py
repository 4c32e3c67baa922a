"""SHACL validation against the project's shapes: loading the shapes, one `validate()` and the
report renderers (text, Turtle, JSON), used alike by the build, `sozialgraph validate` and the
`/validate` service, and the worker process the build validates in. It may import
`sozialgraph.inference`, `sozialgraph.rdf`, `sozialgraph.sandbox` and `sozialgraph.settings`."""
