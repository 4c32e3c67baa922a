"""What a query may ask for: the checks that run before a query reaches the engine.

The endpoint answers from its own store and nothing else. A query is refused (UnsafeQuery, HTTP
400) when it could make the engine reach outside the store or change it:

- SERVICE (pyoxigraph really fetches a SERVICE IRI over HTTP),
- any update keyword (LOAD, INSERT, DELETE, CLEAR, CREATE, DROP, COPY, MOVE, ADD, WITH, USING),
- FROM / FROM NAMED naming a graph that is not in the store (and likewise the protocol's
  default-graph-uri and named-graph-uri).

pyoxigraph 0.5 has no public parser or algebra, so the check is lexical, and it is written to err
on the side of refusing. The query is tokenised the way a SPARQL lexer does (strings, IRIs,
comments, variables and prefixed names are recognised as whole tokens, so `"SERVICE"`,
`<http://x/service>`, `?service` and `sd:Service` are fine), and keywords are looked for inside
every remaining word, because the engine needs no space after a keyword (`1SERVICE<...>{}` and
`SERVICEex:x{}` both reach the network). Keywords are matched in any letter case. The tokeniser
runs twice: on the query as sent (which is how pyoxigraph reads it: \\u escapes only count inside
strings and IRIs) and on the query with every \\uXXXX / \\UXXXXXXXX escape decoded first (which is
how the SPARQL grammar describes it), and either reading can refuse the query.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
# A prefixed name is read as the grammar reads it (PN_LOCAL: '.' inside, not at the end; `\\#`
# and `\\'` are escapes, not a comment or a string), so that no escape can make the rest of the
# line look like a comment or a string to this check while the engine reads it as a query.
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<pname>(?P<prefix>[{_BASE}][{_CHARS}]*)?:
               (?P<local>(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)?)
  | (?P<word>[{_CHARS}]+)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")

MAX_NESTING = 128  # brackets deeper than this crash the engine's recursive parser long before 10^4
# More tokens than this: tens of thousands of UNION branches, operands or path steps stop the
# engine (its stack or memory); a query this long is refused with the limit named (400).
MAX_TOKENS = 20_000
FEDERATION_KEYWORDS = ("SERVICE",)
UPDATE_KEYWORDS = frozenset(
    {"LOAD", "INSERT", "DELETE", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)


class UnsafeQuery(ValueError):
    """The query asks for something the endpoint does not do; the message says what."""


class PolicyRefusal(UnsafeQuery):
    """A query the endpoint will not run by its policy, not for a fault of the query: SERVICE,
    updates, graphs the store lacks. The message starts `refused by policy:`, so that clients
    (and the W3C conformance runs, docs/conformance.md) can tell it from a syntax error."""

    def __init__(self, reason: str):
        super().__init__(f"refused by policy: {reason}")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, pname, word or punct
    text: str
    prefix: str = ""  # pname only
    local: str = ""  # pname only


@dataclass
class QueryDataset:
    """The graphs a query's FROM and FROM NAMED clauses name (absolute IRIs)."""

    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def unescape_codepoints(text: str) -> str:
    r"""Apply SPARQL's \u and \U escapes to a whole string.

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """

    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def tokenize(query: str) -> list[Token]:
    """The tokens of a query, without white space and comments.

    >>> [t.kind for t in tokenize('SELECT ?s { ?s <http://x/p> "SERVICE" } # SERVICE')]
    ['word', 'var', 'punct', 'var', 'iri', 'string', 'punct']
    """
    tokens = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("prefix", "local"):  # inner groups of a prefixed name
            kind = "pname"
        if kind in ("space", "comment"):
            continue
        if kind == "pname":
            tokens.append(Token("pname", match.group(0), match.group("prefix") or "",
                                match.group("local") or ""))
        else:
            tokens.append(Token(kind, match.group(0)))
    return tokens


def check_query(query: str, graphs_in_store: Collection[str], base_iri: str | None = None
                ) -> QueryDataset:
    """Refuse a query that reaches outside the store; return the graphs its FROM clauses name.

    The dataset returned is the one pyoxigraph reads (the query as sent); relative IRIs resolve
    against a BASE declaration, else against `base_iri` (the endpoint's URL).

    >>> check_query('SELECT * FROM <http://g/1> { ?s ?p "SERVICE" }', {"http://g/1"})
    QueryDataset(default_graphs=['http://g/1'], named_graphs=[])
    >>> check_query("select * { service <http://x/> { ?s ?p ?o } }", set())
    Traceback (most recent call last):
    ...
    sozialgraph.sparql.check.PolicyRefusal: refused by policy: SERVICE (federated query) is not \
allowed: this endpoint answers only from its own store
    """
    decoded = unescape_codepoints(query)
    readings = [query] if decoded == query else [query, decoded]
    datasets = []
    for text in readings:
        tokens = tokenize(text)
        if len(tokens) > MAX_TOKENS:
            raise UnsafeQuery(f"the query has {len(tokens)} tokens (words, names, literals, "
                              f"operators); this endpoint takes at most {MAX_TOKENS}, which keeps "
                              "the engine within its stack and memory")
        _refuse_deep_nesting(tokens)
        _refuse_keywords(tokens)
        dataset = _dataset_clauses(tokens, base_iri)
        check_graphs(dataset.default_graphs, graphs_in_store, "FROM")
        check_graphs(dataset.named_graphs, graphs_in_store, "FROM NAMED")
        datasets.append(dataset)
    return datasets[0]


def check_graphs(iris: Iterable[str], graphs_in_store: Collection[str], where: str) -> None:
    for iri in iris:
        if iri not in graphs_in_store:
            raise PolicyRefusal(
                f"{where} names <{iri}>, which is not a graph of this store (the endpoint never "
                "fetches data from elsewhere); the service description (GET /sparql with an RDF "
                "Accept header) lists the graphs"
            )


def _keyword_carriers(tokens: list[Token]) -> Iterable[tuple[int, str]]:
    """The tokens in which the engine could read a keyword: words, and prefixed names outside a
    PREFIX declaration (the engine reads `SERVICEex:x {` as SERVICE ex:x, and even a declared
    `service:x {` as SERVICE :x)."""
    for i, token in enumerate(tokens):
        if token.kind == "word":
            yield i, token.text
        elif token.kind == "pname" and not _declared_here(tokens, i):
            yield i, token.text


def _declared_here(tokens: list[Token], i: int) -> bool:
    """Whether the prefixed name at `i` is the one a PREFIX declaration names."""
    before = tokens[i - 1] if i > 0 else None
    return before is not None and before.kind == "word" and before.text.upper() == "PREFIX"


# Where a prefixed name can start a SERVICE for the engine: SERVICE at its start, or after a
# number or a boolean the engine reads first (`1SERVICE`, `trueSERVICE`), and a group `{` among
# the next three tokens (SERVICE SILENT? VarOrIri {); tested against pyoxigraph with a listener.
_SERVICE_START = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?|true|false)?service",
                            re.IGNORECASE)


def _refuse_keywords(tokens: list[Token]) -> None:
    for i, text in _keyword_carriers(tokens):
        upper = text.upper()
        if tokens[i].kind == "pname":
            group_follows = any(t.kind == "punct" and t.text == "{" for t in tokens[i + 1:i + 4])
            if group_follows and _SERVICE_START.match(text):
                raise PolicyRefusal(
                    f"{text} followed by a group is read as SERVICE (federated query), which is "
                    "not allowed: this endpoint answers only from its own store; choose another "
                    "prefix name")
            continue
        for keyword in FEDERATION_KEYWORDS:
            if keyword in upper:
                raise PolicyRefusal(
                    f"{keyword} (federated query) is not allowed: this endpoint answers only "
                    "from its own store"
                )
        if upper in UPDATE_KEYWORDS:
            raise PolicyRefusal(
                f"{upper} is an update keyword: this endpoint is read-only and answers queries "
                "(SELECT, ASK, CONSTRUCT, DESCRIBE) only"
            )


def _refuse_deep_nesting(tokens: list[Token]) -> None:
    depth = 0
    for token in tokens:
        if token.kind == "punct":
            if token.text in "({[":
                depth += 1
                if depth > MAX_NESTING:
                    raise UnsafeQuery(f"the query nests brackets more than {MAX_NESTING} deep")
            elif token.text in ")}]":
                depth -= 1


def _dataset_clauses(tokens: list[Token], base_iri: str | None = None) -> QueryDataset:
    """Read PREFIX and BASE declarations, then the graphs named by FROM and FROM NAMED.

    The readings follow pyoxigraph's parser, which needs no space after FROM or NAMED: in
    `FROM NAMEDx:g` it takes NAMEDx:g as a default graph if the prefix NAMEDx is declared, and
    otherwise reads NAMED x:g.
    """
    prefixes: dict[str, str] = {}
    base: str | None = base_iri

    def at(i: int) -> Token | None:
        return tokens[i] if i < len(tokens) else None

    def resolve(iri: str) -> str:
        return urljoin(base, iri) if base else iri

    def name(prefix: str, local: str) -> str:
        if prefix not in prefixes:
            raise UnsafeQuery(f"FROM uses the undeclared prefix '{prefix}:'")
        return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)

    def graph(token: Token | None) -> str:
        if token is not None and token.kind == "iri":
            return resolve(unescape_codepoints(token.text[1:-1]))
        if token is not None and token.kind == "pname":
            return name(token.prefix, token.local)
        raise UnsafeQuery("FROM and FROM NAMED must be followed by the IRI of a graph")

    def glued(prefix: str, local: str) -> tuple[bool, str]:
        if prefix not in prefixes and prefix[:5].lower() == "named":
            return True, name(prefix[5:], local)
        return False, name(prefix, local)

    for i, token in enumerate(tokens):
        keyword = token.text.upper() if token.kind == "word" else ""
        following, after = at(i + 1), at(i + 2)
        if keyword == "PREFIX" and following is not None and following.kind == "pname":
            if after is not None and after.kind == "iri" and not following.local:
                prefixes[following.prefix] = graph(after)
        elif keyword == "BASE" and following is not None and following.kind == "iri":
            base = graph(following)

    dataset = QueryDataset()
    for i, text in _keyword_carriers(tokens):
        if tokens[i].kind == "pname":
            if tokens[i].prefix in prefixes:  # a declared prefix: a name, not FROM glued to one
                continue
            text = tokens[i].prefix
        lowered = text.lower()
        if "from" not in lowered:
            continue
        rest = text[lowered.index("from") + 4:]
        following = at(i + 1)
        if tokens[i].kind == "pname":  # FROMex:g, FROMNAMEDex:g
            named, iri = glued(rest, tokens[i].local)
        elif rest.lower() == "named":  # FROMNAMED <g>
            named, iri = True, graph(following)
        elif rest:
            raise UnsafeQuery(f"cannot read the dataset clause '{text}'")
        elif following and following.kind == "word" and following.text.lower() == "named":
            named, iri = True, graph(at(i + 2))
        elif following and following.kind == "pname":
            named, iri = glued(following.prefix, following.local)
        else:
            named, iri = False, graph(following)
        (dataset.named_graphs if named else dataset.default_graphs).append(iri)
    return dataset
