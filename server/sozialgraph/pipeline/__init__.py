"""The build, one module per step in data-flow order: `parse` the graphs, `entail` (the RDFS
entailments the shapes can see), `infer`, `write` a new store aside, `validate` (in a worker
process that runs beside entail, infer and write), and `swap` the new store in. `build` runs
them in that order; `steps` holds what they share (errors, stage timer), `info` what a build
records of itself. It may import every layer below the web: `validation`, `sparql`, `store`,
`inference`, `corpus`, `sandbox`, `rdf`, `settings`."""
