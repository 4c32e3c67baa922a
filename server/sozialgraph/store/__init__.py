"""Where the triples live: the embedded Oxigraph store with the project's dataset semantics
(`embedded`), the handle a server process reads it through (`handle`), a remote SPARQL 1.1 store
behind the same interface (`remote`, over HTTP with requests: `http`), `push`, which copies a
built store into a remote one, and a store's statistics (`stats`). It may import the layers
below it (`inference`, `corpus`, `sandbox`, `rdf`, `settings`), never `sparql`, `validation`,
`pipeline`, `web` or `cli`."""
