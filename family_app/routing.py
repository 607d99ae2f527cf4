"""URL converters that keep impossible values out of the database.

An id in a path goes straight into a query: past what an INTEGER column holds,
the database refused it and the request answered 500. Ids above 2**31 - 1 now
simply match no route (404), on every database.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` with an upper bound (and at most ten digits, so a huge number
    is refused before it is even parsed)."""

    regex = r"\d{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register before any blueprint, so every ``<int:...>`` rule uses it."""
    app.url_map.converters["int"] = BoundedIntConverter
