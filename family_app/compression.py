"""Brotli or gzip for text responses, so a phone on a slow connection loads little.

A reverse proxy may do this in production too; doing it here keeps the page
weight we promise (README) true however the app is served. Flask-Compress does
the work (choosing by Accept-Encoding and its q-values, brotli first, ``Vary``,
an ETag per encoding, 304s); this module only decides what it is given:

- only 200 answers: a 206 (a Range of a static file) or an error keeps its bytes;
- static files are read whole first, so every client gets them compressed (the
  library streams a file otherwise, and streams never in gzip), and they are
  compressed once per file version and encoding, then served from memory;
- pages are compressed on every request and never kept: a page may carry a
  child's data, and no cache of ours holds it.
"""

from __future__ import annotations

from flask import Flask, Request, Response, g, request
from flask_compress import Compress, DictCache

COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]
SETTINGS = {
    "COMPRESS_MIMETYPES": COMPRESSIBLE,
    "COMPRESS_MIN_SIZE": 512,  # below this the headers cost more than they save
    # brotli when the browser takes it (every current one does over HTTPS), gzip
    # otherwise; zstd and deflate add nothing a phone browser lacks.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,  # pages: quick enough per request, near gzip 9's size
    "COMPRESS_LEVEL": 6,
    "COMPRESS_REGISTER": False,  # init_app registers one hook that picks the compressor
    "COMPRESS_STREAMS": False,  # static files are read whole first; nothing else streams
}


def _static_key(_request: Request) -> str:
    """The file and its version: its ETag (werkzeug's, from size and time)."""
    return f"{_request.path} {g.static_etag}"


def init_app(app: Flask) -> None:
    """Two compressors: one for pages, one for static files with a cache of its own."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    pages = Compress(app)
    static_files = Compress(app)
    static_files.cache = DictCache()
    static_files.cache_key = _static_key
    app.extensions["compression"] = {"pages": pages, "static": static_files}

    def compress(response: Response) -> Response:
        if response.status_code != 200 or "Content-Encoding" in response.headers:
            return response
        etag, _weak = response.get_etag()
        if request.endpoint != "static" or not etag or response.mimetype not in COMPRESSIBLE:
            return pages.after_request(response)
        g.static_etag = etag
        response.direct_passthrough = False
        response.make_sequence()  # read the file whole: cached, and in gzip too
        return static_files.after_request(response)

    app.after_request(compress)
