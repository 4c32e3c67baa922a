"""The Flask application: the app factory (`app`), the one HTTP toolkit every blueprint uses
(`http`: errors, body limits, negotiation helpers, responses, URLs), data access (`dataset`),
the views and pages of resources (`views`, `pages`), the app's process pools (`pools`), gunicorn
embedded (`serve`), and one thin blueprint per concern: `endpoint` (/sparql),
`service_description`, `linkeddata` (/id, /graph, /query), `termdocs` (/ontology, /shapes),
`downloads` (/downloads, /dataset), `void`, `ui` (/, /ui), `validate` (/validate). Blueprints
import the toolkit, the data access and the views, never `app` or each other's routes. It may
import every layer below it and is imported only by `sozialgraph.cli`."""
