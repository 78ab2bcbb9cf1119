package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;
import tlslab.wire.ClientHello;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.HandshakeType;
import tlslab.wire.ServerHello;
import tlslab.wire.WireResult;

/**
 * What each complete handshake message tells the per-connection summary and the decryptor (client
 * and server randoms, suite, certificates, tickets...), and its explanation label. The Info-column
 * label itself is appended by {@link TlsDissector} before this runs.
 */
final class MessageFacts {
  private MessageFacts() {}

  static void record(
      TlsDissector d,
      Connection c,
      Connection.Side side,
      boolean fromServer,
      HandshakeType ht,
      boolean hrr,
      byte[] buf,
      int b,
      int end,
      TlsDissector.FrameCtx fx) {
    switch (ht) {
      case CLIENT_HELLO -> {
        c.server = side == c.a ? 'B' : 'A';
        // A new (or retried) Client Hello restarts the handshake: Wireshark forgets the
        // ChangeCipherSpec frames used by its "encrypted handshake message" heuristic.
        c.ccsFrameServer = 0;
        c.ccsFrameClient = 0;
        c.serverKnown = true;
        ClientHello ch = HandshakeMessages.clientHello(buf, b, end).valueOrNull();
        if (ch != null) {
          c.serverName = ch.serverName();
          c.clientHelloVersion = ch.version();
          c.offeredSessionId = ch.sessionId();
          c.ticketOffered = ch.sessionTicket();
          if (c.decryption != null) c.decryption.clientHello(ch);
        } else {
          d.problem(c, fx, "malformed Client Hello");
        }
        d.label(fx, "Client Hello", ch);
      }
      case SERVER_HELLO -> {
        ServerHello sh = HandshakeMessages.serverHello(buf, b, end).valueOrNull();
        if (sh != null) {
          if (sh.helloRetryRequest()) c.helloRetry = true;
          c.cipherSuite = sh.cipherSuite();
          c.negotiatedVersion = sh.version();
          c.pskAccepted = sh.pskAccepted();
          if (sh.version() == 0x0304) {
            c.resumed = sh.pskAccepted();
            if (sh.keyShareGroup() >= 0) c.keyExchangeGroup = sh.keyShareGroup();
          } else if (c.offeredSessionId != null
              && c.offeredSessionId.length > 0
              && java.util.Arrays.equals(c.offeredSessionId, sh.sessionId())) {
            c.resumed = true;
          }
          if (c.decryption != null && !sh.helloRetryRequest()) c.decryption.serverHello(sh);
        } else {
          d.problem(c, fx, "malformed Server Hello");
        }
        d.label(fx, hrr ? "Hello Retry Request" : "Server Hello", sh);
      }
      case CERTIFICATE -> {
        boolean tls13 = c.negotiatedVersion == 0x0304;
        WireResult<List<X509Certificate>> r = HandshakeMessages.certificate(buf, b, end, tls13);
        List<X509Certificate> certs = r.valueOrNull();
        if (fromServer) c.sawCertificate = true;
        else if (certs != null && !certs.isEmpty()) c.sawClientCertificate = true;
        if (certs != null) {
          if (fromServer) c.serverChain = List.copyOf(certs);
          else c.clientChain = List.copyOf(certs);
          for (X509Certificate x : certs) {
            c.certificates.add(
                (fromServer ? "server: " : "client: ")
                    + "subject "
                    + x.getSubjectX500Principal().getName()
                    + ", issuer "
                    + x.getIssuerX500Principal().getName());
          }
        } else {
          d.problem(c, fx, "malformed Certificate message: " + r);
        }
        d.label(fx, fromServer ? "Certificate" : "Certificate (client)", certs);
      }
      case SERVER_KEY_EXCHANGE -> {
        c.sawServerKeyExchange = true;
        Integer g = HandshakeMessages.serverKeyExchangeGroup(buf, b, end).valueOrNull();
        if (g != null && g >= 0) c.keyExchangeGroup = g;
        d.label(fx, "Server Key Exchange", g);
      }
      case SERVER_HELLO_DONE -> {
        c.sawServerHelloDone = true;
        d.label(fx, "Server Hello Done");
      }
      case NEW_SESSION_TICKET -> {
        c.ticketsIssued++;
        Long life = HandshakeMessages.newSessionTicketLifetime(buf, b, end).valueOrNull();
        if (life != null) c.ticketLifetime = life;
        d.label(fx, "New Session Ticket", life);
      }
      case CLIENT_KEY_EXCHANGE -> {
        if (c.decryption != null) c.decryption.clientKeyExchange(buf, b, end);
        d.label(fx, "Client Key Exchange", tlslab.wire.CipherSuite.of(c.cipherSuite));
      }
      case CERTIFICATE_STATUS ->
          d.label(fx, "Certificate Status", CertificateStatus.parse(buf, b, end, c.serverChain));
      case CERTIFICATE_REQUEST -> {
        if (fromServer) c.sawCertificateRequest = true;
        d.label(fx, ht.label());
      }
      case CERTIFICATE_VERIFY -> {
        if (!fromServer) c.sawClientCertificateVerify = true;
        d.label(fx, ht.label());
      }
      case FINISHED -> {
        if (c.decryption != null) c.decryption.finished(fromServer);
        d.label(fx, "Finished");
      }
      default -> d.label(fx, ht.label());
    }
  }
}
