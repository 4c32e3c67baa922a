"""Full-text search: the German and English analysis (`analysis`), the search documents read from
a built store (`documents`), and the Tantivy index written beside the store by the build and read
by the web layer (`index`). docs/decisions.md says why Tantivy and why the analysis is ours."""
