"""Compression (family_app/compression.py, Flask-Compress): what is compressed, in
which encoding, and that no page of a person is ever kept in a cache."""

import gzip

import brotli
import pytest

from tests.conftest import sign_in_as
from tests.factories import make_family

CSS = "/static/css/app.css"
HTMX = "/static/js/htmx-2.0.11.min.js"


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what a current browser sends: brotli
        ("gzip, deflate", "gzip"),
        ("br;q=0.5, gzip", "gzip"),  # the browser's own preference counts
        ("", None),
        ("identity", None),
    ],
)
def test_the_encoding_follows_accept_encoding(client, accept, encoding):
    for path in ("/sign-in", CSS, HTMX):
        plain = client.get(path).data
        response = client.get(path, headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == encoding, (path, accept)
        unpack = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding]
        body = unpack(response.data)
        if path == "/sign-in":  # a fresh nonce and CSRF token each time
            assert body.startswith(b"<!doctype html>") and len(body) > 2000
        else:
            assert body == plain
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert "Accept-Encoding" in response.headers["Vary"]


def test_a_page_has_one_vary_header_naming_all_it_depends_on(client):
    response = client.get("/", headers={"Accept-Encoding": "br"})
    assert response.headers.getlist("Vary") == ["Accept-Encoding, HX-Request, Cookie"]
    assert response.headers["Cache-Control"] == "no-store"


def test_small_answers_other_types_and_errors_are_sent_as_they_are(client):
    br = {"Accept-Encoding": "br, gzip"}
    icon = client.get("/static/icons/app-192.png", headers=br)
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    health = client.get("/healthz", headers=br)  # JSON, under 512 bytes
    assert len(health.data) < 512 and "Content-Encoding" not in health.headers
    missing = client.get("/plans/999999", headers=br)  # only 200 answers are compressed
    assert missing.status_code in (302, 404) and "Content-Encoding" not in missing.headers


def test_a_static_file_has_an_etag_per_encoding_and_answers_304(client):
    plain = client.get(CSS)
    br = client.get(CSS, headers={"Accept-Encoding": "br"})
    gz = client.get(CSS, headers={"Accept-Encoding": "gzip"})
    etags = {plain.headers["ETag"], br.headers["ETag"], gz.headers["ETag"]}
    assert len(etags) == 3  # a cache never mixes the bytes of two encodings
    again = client.get(CSS, headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    other = client.get(
        CSS, headers={"Accept-Encoding": "gzip", "If-None-Match": br.headers["ETag"]}
    )
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "gzip"


def test_a_range_of_a_static_file_is_sent_as_it_is(client):
    part = client.get(CSS, headers={"Accept-Encoding": "br", "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    assert "Content-Encoding" not in part.headers


def test_static_files_are_compressed_once_and_pages_never_kept(app, client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    cache = app.extensions["compression"]["static"].cache
    for _ in range(2):
        for path in (CSS, HTMX, f"/plans/{family.plan.id}", f"/meetings/{family.meeting.id}"):
            for accept in ("br", "gzip"):
                response = client.get(path, headers={"Accept-Encoding": accept})
                assert response.headers["Content-Encoding"] == accept, path
    etag = client.get(CSS).headers["ETag"].strip('"')
    assert f"br;{CSS} {etag}" in cache.data
    assert sorted(key.split(" ")[0] for key in cache.data) == sorted(
        f"{accept};{path}" for path in (CSS, HTMX) for accept in ("br", "gzip")
    )
    assert app.extensions["compression"]["pages"].cache is None


def test_the_calendar_is_compressed(client, session):
    family = make_family(session)
    sign_in_as(client, family.guardians[0])
    path = f"/meetings/{family.meeting.id}/calendar.ics"
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"BEGIN:VCALENDAR")
