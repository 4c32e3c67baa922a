"""SHACL validation against the project's shapes (or a user's): one engine, pyshacl-turbo, for
the build, `sozialgraph validate` and the `/validate` service (`engine`, with pySHACL as the
reference and for shapes that see more RDFS than our entailments), the report read and rendered
(`report`), the validator processes of the service (`service`) and the build's validation worker
(`worker`). It may import `sozialgraph.sparql` (the query check for a user's shapes),
`sozialgraph.store`, `sozialgraph.inference`, `sozialgraph.sandbox`, `sozialgraph.rdf` and
`sozialgraph.settings`."""
