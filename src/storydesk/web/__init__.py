"""The web app: `create_app(data_dir)` serves story pages and a JSON API over the store.

`storydesk serve` runs it with uvicorn on 127.0.0.1; see app.py for the pieces.
"""

from storydesk.web.app import create_app

__all__ = ["create_app"]
