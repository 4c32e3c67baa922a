"""RDF in and out, below everything else: the project's namespaces and prefixes
(`namespaces`), the table of RDF and SPARQL-results formats with their media types (`formats`),
parsing of every RDF syntax with safe defaults and file:line errors (`parse`), and triples as
N-Triples term strings, the build's working representation (`ntriples`). It imports only
`sozialgraph.settings` and third-party libraries."""
