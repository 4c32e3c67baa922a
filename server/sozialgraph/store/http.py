"""HTTP to a remote store, with `requests`: the client that `sozialgraph.store.remote` queries
through and `sozialgraph.store.push` writes through.

What the store layer asks of HTTP, and how `requests` gives it:

- no proxies, `.netrc` or CA settings from the environment (`Session.trust_env` off), no
  redirects followed (a 3xx comes back as it is and is reported);
- a deadline for the whole exchange, not only per socket wait: the read timeout is set to what
  is left and the body is read in chunks, checked against the deadline and a size limit;
- credentials sent the way the server asks: nothing until a 401, then Basic or Digest with
  requests' own `HTTPBasicAuth` / `HTTPDigestAuth`, remembered for the following requests; a
  bearer token goes with every request;
- uploads (`push`) go with a Content-Length, never chunked: the body's chunks are spooled to a
  temporary file first (SPOOL_IN_MEMORY bytes in memory, the rest on disk). Virtuoso 7.2.5
  stores a chunked upload, answers it, and then sends an unsolicited `501 Method Not
  Implemented` on the same kept-alive connection, which the client takes for the answer to its
  next request (docs/scale-out.md, "the 501"). A file body can also be rewound when a Digest
  nonce goes stale and requests' `HTTPDigestAuth` sends the request again; a spent generator
  would go out empty.

It imports nothing of the project but the package version.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
import urllib3
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from sozialgraph import __version__

IO_TIMEOUT = 600.0  # seconds a socket may wait when no deadline applies (uploads, dumps)
CONNECT_TIMEOUT = 10.0  # seconds to open a connection, within the deadline
USER_AGENT = f"sozialgraph/{__version__}"
CHUNK = 65536
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # bytes of an upload kept in memory before it goes to disk


@dataclass(frozen=True)
class Credentials:
    """User and password (Basic or Digest, as the server asks), or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __bool__(self) -> bool:
        return bool(self.user or self.token)


class HttpError(Exception):
    """The request did not get an answer (connection refused, reset, bad URL)."""


class HttpTimeout(HttpError):
    """The answer did not come (completely) before the deadline."""


class ResponseTooLarge(HttpError):
    """The answer is longer than the caller allows."""


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, list[str]]  # lower-case names
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    def text(self, limit: int = 2000) -> str:
        text = self.body[:limit].decode("utf-8", "replace").strip()
        return text + ("…" if len(self.body) > limit else "")


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """`http://user:secret@host/path` -> (`http://host/path`, Credentials(user, secret))."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    clean = urlunsplit((parts.scheme, _netloc(parts), parts.path, parts.query, parts.fragment))
    return clean, Credentials(unquote(parts.username), unquote(parts.password or ""))


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def display_url(url: str) -> str:
    """The URL without credentials or query string (for messages and logs)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _netloc(parts), parts.path, "", ""))


def _netloc(parts) -> str:
    host = parts.hostname or ""
    return (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")


class ChallengeAuth(AuthBase):
    """A user and password sent as the server asks: the first request goes without them; a 401
    with a Basic or Digest challenge picks the scheme (requests' auth classes compute the
    header), and later requests authenticate at once. A request whose body cannot be sent twice
    (a stream) is not repeated here: `HttpClient.request` sends it again with a fresh body."""

    def __init__(self, user: str, password: str):
        self._basic = HTTPBasicAuth(user, password)
        self._digest = HTTPDigestAuth(user, password)
        self._lock = threading.Lock()
        self.scheme: str | None = None  # "basic" or "digest", once the server asked

    def __call__(self, request):
        with self._lock:
            scheme = self.scheme
        if scheme == "basic":
            return self._basic(request)
        if scheme == "digest":
            return self._digest(request)
        request.register_hook("response", self._answer_challenge)
        return request

    def _answer_challenge(self, response, **kwargs):
        if response.status_code != 401:
            return response
        offered = response.headers.get("www-authenticate", "").lower()
        scheme = "digest" if "digest" in offered else "basic" if "basic" in offered else None
        if scheme is None:
            return response
        with self._lock:
            self.scheme = scheme
        if response.request.body is not None and not isinstance(response.request.body,
                                                                (bytes, str)):
            return response  # a stream is spent: the client repeats the request itself
        if scheme == "digest":
            self._digest(response.request)  # the digest's state for this thread
            return self._digest.handle_401(response, **kwargs)
        response.content  # noqa: B018 (read the body, so that the connection can be reused)
        response.close()
        retry = response.request.copy()
        self._basic(retry)
        answer = response.connection.send(retry, **kwargs)
        answer.history.append(response)
        answer.request = retry
        return answer


class HttpClient:
    """One `requests` session per client: no proxies from the environment, no redirects, a
    deadline per request and a size limit on the answer (see the module doc)."""

    def __init__(self, credentials: Credentials | None = None):
        self.credentials = credentials or Credentials()
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["User-Agent"] = USER_AGENT
        if self.credentials.token:
            self.session.headers["Authorization"] = f"Bearer {self.credentials.token}"
        elif self.credentials.user:
            self.session.auth = ChallengeAuth(self.credentials.user,
                                              self.credentials.password or "")

    def request(self, method: str, url: str, *, body: bytes | Callable[[], Iterable[bytes]]
                | None = None, headers: dict[str, str] | None = None,
                timeout: float | None = None, max_bytes: int | None = None) -> Response:
        """Send a request and read the whole answer.

        `body` is bytes, or a function returning an iterable of byte chunks (spooled to a
        temporary file and sent with its Content-Length, see the module doc; called again when
        the request is repeated after a challenge).
        `timeout` bounds the whole exchange (HttpTimeout); `max_bytes` the answer's body.
        """
        check_url(url)
        deadline = time.monotonic() + timeout if timeout else None
        auth = self.session.auth
        asked_before = isinstance(auth, ChallengeAuth) and auth.scheme is not None
        response = self._send(method, url, body, headers, deadline, max_bytes)
        if (response.status == 401 and callable(body) and isinstance(auth, ChallengeAuth)
                and not asked_before and auth.scheme is not None):
            response = self._send(method, url, body, headers, deadline, max_bytes)
        return response

    def _send(self, method, url, body, headers, deadline, max_bytes) -> Response:
        if not callable(body):
            return self._exchange(method, url, body, headers, deadline, max_bytes)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            for chunk in body():
                spool.write(chunk)
            spool.seek(0)
            return self._exchange(method, url, spool, headers, deadline, max_bytes)

    def _exchange(self, method, url, data, headers, deadline, max_bytes) -> Response:
        try:
            with self.session.request(method, url, data=data, headers=headers or {},
                                      allow_redirects=False, stream=True,
                                      timeout=(min(CONNECT_TIMEOUT, _remaining(deadline)),
                                               _remaining(deadline))) as answer:
                chunks, size = [], 0
                for chunk in answer.iter_content(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ResponseTooLarge(f"the answer is longer than {max_bytes} bytes")
                    chunks.append(chunk)
                    _remaining(deadline)
                names: dict[str, list[str]] = {}
                for name, value in answer.raw.headers.items():
                    names.setdefault(name.lower(), []).append(value)
                return Response(answer.status_code, answer.reason or "", names, b"".join(chunks))
        except requests.ConnectionError as error:
            if error.args and isinstance(error.args[0], urllib3.exceptions.ReadTimeoutError):
                raise HttpTimeout(f"no complete answer from {display_url(url)} in time") \
                    from None  # a read timeout while the body streams in
            cause = error.__context__ or error
            raise HttpError(f"{method} {display_url(url)} failed: "
                            f"{type(cause).__name__}: {cause}") from None
        except requests.Timeout:
            raise HttpTimeout(f"no complete answer from {display_url(url)} in time") from None
        except requests.RequestException as error:
            cause = error.__context__ or error
            raise HttpError(f"{method} {display_url(url)} failed: "
                            f"{type(cause).__name__}: {cause}") from None


def _remaining(deadline: float | None) -> float:
    if deadline is None:
        return IO_TIMEOUT
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpTimeout("the deadline passed")
    return left
