"""The build, in data-flow order: `parse` the graphs, `validate` (the worker started and the
RDFS entailments handed over: entail), `infer`, `write` a new store aside, the validation's
verdict, and `swap` the new store in; `build` runs them in that order, `steps` holds what they
share. It may import every layer below the web: `validation`, `sparql`, `store`, `inference`,
`corpus`, `sandbox`, `rdf`, `settings`."""
