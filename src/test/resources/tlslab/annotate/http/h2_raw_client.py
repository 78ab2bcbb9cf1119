"""A hand-made HTTP/2 client over Python's ssl, for what curl and browsers never send.

usage: h2_raw_client.py PORT KEYLOG MODE
MODE "records": the preface and SETTINGS in one TLS record, a request in a second record, both in
one TCP segment; then a request split across two records (its frame header cut after 5 bytes).
MODE "malformed": a HEADERS frame whose HPACK block is not valid, a frame of an unknown type, a
frame that claims 16 MB and is never sent in full.
Header blocks use the HPACK static table and literals only (RFC 7541 appendix A).
"""
import socket
import ssl
import sys
import time

port, keylog, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["h2"])
ctx.keylog_filename = keylog
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
sock = socket.create_connection(("127.0.0.1", port))


def flush():
    data = outgoing.read()
    if data:
        sock.sendall(data)


while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        flush()
        incoming.write(sock.recv(65536))
flush()


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def get(stream, path):
    authority = b"localhost"
    block = b"\x82\x87\x44" + bytes([len(path)]) + path + b"\x41" + bytes([len(authority)]) + authority
    return frame(1, 5, stream, block)  # END_STREAM | END_HEADERS


preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"")


def read_for(seconds):
    sock.settimeout(0.2)
    end = time.time() + seconds
    while time.time() < end:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            return
        incoming.write(data)
        try:
            while tls.read(65536):
                pass
        except ssl.SSLError:
            pass
        flush()


if mode == "records":
    tls.write(preface)
    tls.write(get(1, b"/index.html"))
    flush()  # two records, one send
    read_for(0.7)
    request = get(3, b"/a.txt")
    tls.write(request[:5])
    tls.write(request[5:] + get(5, b"/index.html"))
    flush()
    read_for(0.7)
elif mode == "malformed":
    tls.write(preface)
    flush()
    read_for(0.3)
    tls.write(frame(1, 5, 1, b"\xff\xff\xff\xff\x7f"))  # an index far past any table
    flush()
    read_for(0.3)
    tls.write(frame(0xEE, 0, 0, b"unknown"))
    tls.write(b"\xff\xff\xff\x00\x00\x00\x00\x00\x03" + b"x" * 100)
    flush()
    read_for(0.5)
sock.close()
