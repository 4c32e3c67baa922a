"""Answering SPARQL: the query check that refuses what the service does not do by policy
(`check`), evaluation under the server's limits with the result written in the negotiated format
(`executor`), and the catalogue of curated queries (`catalogue`). It may import `sozialgraph.store`,
`sozialgraph.rdf`, `sozialgraph.sandbox` and `sozialgraph.settings`."""
