"""A feed server on 127.0.0.1 for the watch tests: real HTTP, its feed changed by the test.

`FeedServer.feed` is the RSS document served at /feed.xml; each request records which version
of the feed it got. `gate()` makes the next request wait until the test releases it, so a test
can act (send SIGTERM) while the watcher is mid-fetch, mid-cycle.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Sentences of a plausible news item; each entry gets its own numbers and places so that
# entries are distinct articles (ids come from content) while two can tell one event.
BODY = (
    "<p>The {dam} dam on the {river} river burst early on {day}, flooding {n} villages downstream, "
    "regional officials said.</p><p>Rescue teams evacuated about {people} residents overnight and "
    "at least {dead} people were confirmed dead by the provincial emergency ministry.</p>"
    "<p>Engineers had warned in {year} that the spillway could fail after heavy rain, according "
    "to a report seen by reporters. The governor promised an inquiry into the collapse.</p>"
)


def entry(i: int, title: str, *, dam: str = "Kestrel", dead: int = 12) -> str:
    published = datetime(2026, 3, 2, 6, 0, tzinfo=UTC) + timedelta(hours=i)
    body = BODY.format(dam=dam, river="Ardent", day="Monday", n=4 + i, people=1500 + 100 * i, dead=dead,
                       year=2019 + i)
    return (f"<item><title>{escape(title)}</title><link>http://127.0.0.1/news/{i}</link>"
            f"<guid>http://127.0.0.1/news/{i}</guid><pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(body)}</description></item>")


def rss(*items: str) -> bytes:
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Valley Courier</title>"
            "<link>http://127.0.0.1/</link><description>news</description>" + "".join(items)
            + "</channel></rss>").encode("utf-8")


class FeedServer:
    def __init__(self) -> None:
        self.feed = rss()
        self.version = 0
        self.served: list[int] = []  # the feed version each request got, in order
        self.requested = threading.Event()
        self._release: threading.Event | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                gate = server._release
                server.requested.set()
                if gate is not None:
                    server._release = None
                    gate.wait(60)
                body, version = server.feed, server.version
                server.served.append(version)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, *items: str) -> None:
        self.version += 1
        self.feed = rss(*items)

    def gate(self) -> threading.Event:
        """Hold the next request until the returned event is set."""
        release = threading.Event()
        self.requested.clear()
        self._release = release
        return release
