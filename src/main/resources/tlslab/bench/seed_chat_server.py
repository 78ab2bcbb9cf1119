# The "seed": a chat server written the way the student report's is (one select() loop over
# blocking TLS sockets, ssl.wrap_socket on accept, a broadcast that send()s to every other
# client), speaking the lab's line protocol (docs/PROTOCOL.md: /nick, broadcasts as "<nick> text")
# so that `lab bench chat` can load it exactly like the lab server.
# Usage: python3 seed_chat_server.py PORT CERT_PEM   (CERT_PEM holds key and certificate)
import select
import socket
import ssl
import sys


def main():
    port = int(sys.argv[1])
    cert = sys.argv[2]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=cert, keyfile=cert)
    context.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA")

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1024)
    print("listening on 127.0.0.1:%d" % port, flush=True)

    inputs = [server]
    nicks = {}
    pending = {}
    guest = 0

    def broadcast_data(sender, message):
        data = message.encode("utf-8")
        for sock in inputs:
            if sock is not server and sock is not sender:
                try:
                    sock.sendall(data)
                except OSError:
                    drop(sock)

    def drop(sock):
        if sock in inputs:
            inputs.remove(sock)
        nicks.pop(sock, None)
        pending.pop(sock, None)
        try:
            sock.close()
        except OSError:
            pass

    def handle(sock, line):
        if line.startswith("/nick "):
            nicks[sock] = line[6:].strip()
            sock.sendall(("* you are now %s\n" % nicks[sock]).encode("utf-8"))
        elif line:
            broadcast_data(sock, "<%s> %s\n" % (nicks[sock], line))

    while True:
        readable, _, _ = select.select(inputs, [], [])
        for sock in readable:
            if sock is server:
                client, _ = server.accept()
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                try:
                    client = context.wrap_socket(client, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    print("handshake failed: %s" % e, file=sys.stderr, flush=True)
                    client.close()
                    continue
                guest += 1
                inputs.append(client)
                nicks[client] = "guest%d" % guest
                pending[client] = b""
                client.sendall(("* welcome %s\n" % nicks[client]).encode("utf-8"))
                continue
            try:
                data = sock.recv(65536)
                while sock.pending():
                    data += sock.recv(sock.pending())
            except (ssl.SSLError, OSError):
                drop(sock)
                continue
            if not data:
                drop(sock)
                continue
            buf = pending[sock] + data
            *lines, rest = buf.split(b"\n")
            pending[sock] = rest
            for raw in lines:
                handle(sock, raw.decode("utf-8", "replace").rstrip("\r"))


if __name__ == "__main__":
    main()
