"""The demo's picture host: `https://media.sample.invalid/<name>` served from the bundled `images/`.

The sample week links its pictures to the reserved host `media.sample.invalid` (`.invalid` never
resolves, RFC 2606), so a real pass that met one would fail to connect and skip it. Only the
requests session that `demo` builds with `sample_session()` mounts this transport adapter, which
answers for that one host from the folder beside this file: the real fetcher (size cap, type
check, decoding) runs unchanged, its rules for real posts are not touched, and no file:// or
loopback address is ever involved. A name that is not in the folder is a 404, as a CDN would say.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

SAMPLE_HOST = "media.sample.invalid"
SAMPLE_BASE = f"https://{SAMPLE_HOST}/"
IMAGES = Path(__file__).resolve().with_name("images")
TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class BundledImages(BaseAdapter):
    """A transport adapter that serves `folder`'s pictures for SAMPLE_HOST and nothing else."""

    def __init__(self, folder: Path = IMAGES) -> None:
        super().__init__()
        self.folder = folder
        self.requested: list[str] = []  # every URL asked for, in order (the tests count fetches)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = str(request.url)
        self.requested.append(url)
        parts = urlsplit(url)
        name = parts.path.removeprefix("/")
        path = self.folder / name
        # One level, a known picture type, no way out of the folder.
        found = (
            parts.hostname == SAMPLE_HOST
            and request.method == "GET"
            and "/" not in name
            and path.suffix.lower() in TYPES
            and path.is_file()
        )
        if found:
            body, status, kind = path.read_bytes(), 200, TYPES[path.suffix.lower()]
        else:
            body, status, kind = b"not in the sample week's pictures", 404, "text/plain"
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if found else "Not Found"
        response.headers = CaseInsensitiveDict({"Content-Type": kind, "Content-Length": str(len(body))})
        response.raw = io.BytesIO(body)
        response.url = url
        response.request = request
        return response

    def close(self) -> None:
        pass


def sample_session(folder: Path = IMAGES) -> requests.Session:
    """A requests session on which SAMPLE_HOST is the bundled folder; every other host is the web."""
    session = requests.Session()
    session.mount(SAMPLE_BASE, BundledImages(folder))
    return session


def sample_url(name: str) -> str:
    """The sample week's link to a bundled picture."""
    return SAMPLE_BASE + name
