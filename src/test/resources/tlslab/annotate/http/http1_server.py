"""HTTP/1.1 over TLS for the label parity tests: Python's http.server behind Python's ssl.

usage: http1_server.py PORT CERT KEY KEYLOG DOCROOT [tls12]
Prints "ready" once listening. Paths: /chunked (Transfer-Encoding: chunked), /big (50 000 bytes,
application/octet-stream), /large (220 KB of text/plain), /slow (1.3 MB of text/plain), /empty (Content-Length: 0), /gz/FILE (FILE with Content-Encoding: gzip),
anything else a file under DOCROOT with the media type its name says. POST answers 201 with an
empty body.
"""
import gzip
import http.server
import mimetypes
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(3):
                part = ("chunk %d " % i).encode() * 50
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/big":
            self.send(200, "application/octet-stream", b"y" * 50000)
        elif self.path == "/slow":
            self.send(200, "text/plain", b"slow body\n" * 130000)
        elif self.path == "/large":
            self.send(200, "text/plain", b"large body\n" * 20000)
        elif self.path.startswith("/gz/"):
            p = os.path.join(DOCROOT, self.path[len("/gz/"):])
            with open(p, "rb") as f:
                body = gzip.compress(f.read())
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(p)[0])
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/empty":
            self.send(200, "text/plain", b"")
        else:
            p = os.path.join(DOCROOT, self.path.lstrip("/"))
            if not os.path.isfile(p):
                self.send(404, "text/plain", b"not found\n")
                return
            with open(p, "rb") as f:
                body = f.read()
            self.send(200, mimetypes.guess_type(p)[0] or "application/octet-stream", body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send(201, "text/plain", b"")


port, cert, key, keylog, DOCROOT = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.keylog_filename = keylog
ctx.set_alpn_protocols(["http/1.1"])
if len(sys.argv) > 6 and sys.argv[6] == "tls12":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
server = http.server.HTTPServer(("127.0.0.1", int(port)), Handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()
