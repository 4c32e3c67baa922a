"""Entailment: the OWL 2 RL rules the ontology needs and the RDFS entailments the shapes see,
materialised directly on rdflib terms or on N-Triples term strings (`rules`), and the build's
inference step with owlrl as the reference it is proven against in tests (`owl`). It may import
`sozialgraph.rdf` and `sozialgraph.settings`."""
