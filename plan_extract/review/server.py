"""``plan-extract review OUTDIR``: the review page and its JSON API on 127.0.0.1.

The standard library's threading HTTP server is enough for one analyst.
The records are read once; the queue is served a page at a time
(``/api/items?offset=&limit=``), a plan's text on demand (``/api/plan?id=``),
and every decision (``POST /api/decide``) is checked, appended to
``OUTDIR/corrections.jsonl`` with fsync, and only then answered: what the
page shows as saved is on disk.  A request must come from the page itself
(JSON body, a local Host), so another site open in the browser cannot post
decisions.
"""

from __future__ import annotations

import json
import threading
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from ..output.export import read_records
from .apply import make_decision
from .corrections import DecisionError, append, history, read_log
from .queue import added_entry, build_queue, item_view, plan_view

PAGE_LIMIT = 200  # the most items one request may ask for
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class Review:
    """The state of one review: records, queue and the decisions that hold."""

    def __init__(self, outdir: Path):
        self.outdir = Path(outdir)
        self.records = {r["id"]: r for r in read_records(self.outdir / "plans.jsonl")}
        decisions, self.problems = read_log(self.outdir)
        self.history = history(decisions)  # item name -> its decisions in force, oldest first
        self.held = {item: stack[-1] for item, stack in self.history.items()}
        self.queue = build_queue(list(self.records.values()), self.held)
        self.position = {e.key: i for i, e in enumerate(self.queue)}
        self.lock = threading.Lock()

    def summary(self) -> dict:
        decided = sum(1 for e in self.queue if e.key in self.held)
        actions: dict[str, int] = {}
        for d in self.held.values():
            actions[d.action] = actions.get(d.action, 0) + 1
        return {"outdir": str(self.outdir), "plans": len(self.records), "items": len(self.queue),
                "decided": decided, "actions": dict(sorted(actions.items())), "problems": self.problems}

    def items(self, offset: int, limit: int) -> dict:
        page = self.queue[offset:offset + limit]
        return {"total": len(self.queue), "offset": offset,
                "items": [item_view(e, self.records[e.plan], self.held, offset + i) for i, e in enumerate(page)]}

    def plan(self, plan_id: str) -> dict:
        if plan_id not in self.records:
            raise KeyError(plan_id)
        return plan_view(self.records[plan_id], self.held)

    def decide(self, request: dict) -> dict:
        with self.lock:  # one decision at a time: the log's order is the order they were made
            d = make_decision(request, self.records, self.held)
            stack = self.history.setdefault(d.item, [])
            if d.action == "undo":
                append(self.outdir, d)
                stack.pop()
                if stack:
                    self.held[d.item] = stack[-1]
                else:
                    del self.held[d.item], self.history[d.item]
            elif self.held.get(d.item) != d:
                append(self.outdir, d)
                stack.append(d)
                self.held[d.item] = d
            if d.action == "add" and d.item not in self.position:
                self.position[d.item] = len(self.queue)
                self.queue.append(added_entry(d))
            pos = self.position.get(d.item)
            item = (item_view(self.queue[pos], self.records[d.plan], self.held, pos)
                    if pos is not None and d.item == self.queue[pos].key else None)
            return {"decision": {"id": d.id, "item": d.item, "action": d.action, "fields": d.fields}, "item": item,
                    "decided": sum(1 for e in self.queue if e.key in self.held)}


def _page() -> bytes:
    return (resources.files("plan_extract") / "review" / "static" / "review.html").read_bytes()


class Handler(BaseHTTPRequestHandler):
    server: "ReviewServer"

    def log_message(self, format, *args):  # quiet: the terminal shows the address, not every request
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _local(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        return host in LOCAL_HOSTS

    def do_GET(self) -> None:
        if not self._local():
            return self._json(HTTPStatus.FORBIDDEN, {"error": "only http://127.0.0.1 may use this server"})
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        review = self.server.review
        try:
            if url.path in ("/", "/index.html"):
                return self._send(HTTPStatus.OK, _page(), "text/html; charset=utf-8")
            if url.path == "/favicon.ico":
                return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            if url.path == "/api/summary":
                return self._json(HTTPStatus.OK, review.summary())
            if url.path == "/api/items":
                offset = max(0, int(query.get("offset", 0)))
                limit = min(PAGE_LIMIT, max(1, int(query.get("limit", 50))))
                return self._json(HTTPStatus.OK, review.items(offset, limit))
            if url.path == "/api/plan":
                return self._json(HTTPStatus.OK, review.plan(query.get("id", "")))
        except ValueError:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "offset and limit must be integers"})
        except KeyError as exc:
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no plan {exc.args[0]!r} in this run"})
        self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {url.path}"})

    def do_POST(self) -> None:
        if not self._local():
            return self._json(HTTPStatus.FORBIDDEN, {"error": "only http://127.0.0.1 may use this server"})
        if urlsplit(self.path).path != "/api/decide":
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {self.path}"})
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send the decision as application/json"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length).decode("utf-8")) if 0 < length <= 1 << 20 else None
            if not isinstance(request, dict):
                raise DecisionError("send one decision as a JSON object")
            return self._json(HTTPStatus.OK, self.server.review.decide(request))
        except (ValueError, UnicodeDecodeError) as exc:  # DecisionError and bad JSON
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except OSError as exc:  # the log could not be written: say so, keep serving
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(exc)})


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets a burst of the page's requests

    def __init__(self, review: Review, port: int = 0):
        super().__init__(("127.0.0.1", port), Handler)
        self.review = review

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def start(outdir: Path, port: int = 0) -> ReviewServer:
    """A server for ``outdir`` answering in a background thread (tests, benchmarks); ``shutdown()`` stops it."""
    server = ReviewServer(Review(outdir), port)
    threading.Thread(target=server.serve_forever, name="plan-extract-review", daemon=True).start()
    return server


def serve(outdir: Path, *, port: int, browser: bool, echo: Optional[Callable[[str], None]] = print) -> None:
    """Serve until interrupted (Ctrl-C), opening the page in a browser unless told not to."""
    try:
        server = ReviewServer(Review(outdir), port)
    except OSError as exc:
        raise SystemExit(f"error cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    review = server.review
    echo(f"{review.summary()['items']} items of {len(review.records)} plans, "
         f"{len(review.held)} decisions in {outdir / 'corrections.jsonl'}")
    for problem in review.problems:
        echo(f"warning {problem}")
    echo(f"review at {server.url} (Ctrl-C stops)")
    if browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
