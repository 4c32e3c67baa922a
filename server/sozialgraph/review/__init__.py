"""Review and promotion of drafts (issue 11): reading a draft graph of `sozialgraph extract`
with the text it quotes, for the review pages (/drafts, sozialgraph.web.drafts), and turning a
reviewed draft into a curated graph (`sozialgraph promote`, sozialgraph.review.promote).

It sits above the pipeline (promotion runs the build's parse and SHACL checks) and below the web
and the command line. docs/extraction.md describes the draft format and the review decisions.
"""
