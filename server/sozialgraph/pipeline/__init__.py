"""The build, in data-flow order: parse the graphs, entail, infer, write a new store, validate
beside it, and swap the new store in. It may import every layer below the web: `store`,
`validation`, `inference`, `rdf`, `sandbox`, `settings`."""
