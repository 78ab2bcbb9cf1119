"""A hand-made HTTP/1.1 client over Python's ssl, for the record layouts curl does not make.

usage: h1_raw_client.py PORT KEYLOG
Three connections: two requests in one record (pipelining, RFC 9112 section 9.3.2); a request whose
request line, header and empty line go in three records; a POST whose JSON body follows the
headers in a second record.
"""
import socket
import ssl
import sys
import time

port, keylog = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["http/1.1"])
ctx.keylog_filename = keylog


def session(*writes):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    for w in writes:
        s.sendall(w)  # one record per write
        time.sleep(0.2)
    s.settimeout(0.5)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    s.close()


session(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
session(b"GET /index.html HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n")
session(
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n",
    b'{"a": 1}',
)
