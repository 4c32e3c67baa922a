"""Where the triples live: the embedded Oxigraph store with the project's dataset semantics
(`embedded`), a remote SPARQL 1.1 store behind the same interface (`remote`), and `push`, which
copies a built store into a remote one. It may import `sozialgraph.rdf` and
`sozialgraph.settings`, never the query, pipeline or web layers."""
