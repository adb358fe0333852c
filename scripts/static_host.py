"""The built site served as a static host serves it (gzip for text, a short cache lifetime), on
127.0.0.1 and a free port, for the checks that need a server: Lighthouse and linkchecker.

    with served(Path("build/site")) as url:   # "http://127.0.0.1:PORT/"
        ...
"""

import contextlib
import gzip
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


class Handler(SimpleHTTPRequestHandler):
    """Serves the site like a static host: gzip for text, a short cache lifetime."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        if not path.is_file():
            return super().send_head()  # the redirect for a folder without "/", or the 404
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages sends the same
        # linkchecker spaces its requests to a host by 0.1-0.6 s each, unless the host says it
        # may be checked faster with this header (then its maxrequestspersecond applies)
        self.send_header("LinkChecker", "local")
        super().end_headers()

    def log_message(self, *args):
        pass


class _Body:
    """The gzipped file, as send_head's caller reads a file."""

    def __init__(self, data):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@contextlib.contextmanager
def served(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
