"""The Flask application: the app factory, the HTTP toolkit (errors, content negotiation, URLs)
and one thin blueprint per concern (SPARQL protocol, linked data, ontology and shapes pages,
downloads, VoID, the query UI, the validation service). It may import every layer below it and
is imported only by `sozialgraph.cli`."""
