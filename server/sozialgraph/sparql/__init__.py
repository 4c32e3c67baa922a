"""Answering SPARQL: the query check that refuses what the service does not do by policy
(`check`), evaluation under the server's limits with the result written in the negotiated format
(`executor`, in query worker processes), the remote store's executor (`remote`), which executor
serves a store (`service`), result tables for a terminal (`table`) and the catalogue of curated
queries (`catalogue`). It may import `sozialgraph.store`, `sozialgraph.inference` (not used),
`sozialgraph.corpus`, `sozialgraph.sandbox`, `sozialgraph.rdf` and `sozialgraph.settings`."""
