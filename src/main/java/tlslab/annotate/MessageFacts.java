package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;
import tlslab.wire.ClientHello;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.HandshakeMode;
import tlslab.wire.HandshakeType;
import tlslab.wire.ProtocolVersion;
import tlslab.wire.ServerHello;
import tlslab.wire.WireResult;

/**
 * What each complete handshake message tells the per-connection summary and the decryptor (client
 * and server randoms, suite, certificates, tickets...), and its explanation label. The Info-column
 * label itself is appended by {@link TlsDissector} before this runs.
 */
final class MessageFacts {
  private MessageFacts() {}

  /**
   * A Certificate message for its note: the certificates that decoded, and how many entries the
   * message holds (more when some do not decode as X.509).
   */
  record CertificateMessage(List<X509Certificate> certificates, int entries) {}

  /** A TLS 1.0-1.2 (or SSL 3.0) session: its Server Hello was seen and is not TLS 1.3. */
  private static boolean tls12(Connection c) {
    return c.negotiatedVersion >= 0 && c.negotiatedVersion != 0x0304;
  }

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
        // TLS 1.0-1.2 only: TLS 1.3's compatibility Change Cipher Spec (D.4) comes before a
        // second Client Hello after a Hello Retry Request, which is no renegotiation.
        if (tls12(c) && c.clientCcs && c.serverCcs && c.renegotiationFrame < 0)
          c.renegotiationFrame = fx.frameNo;
        c.server = side == c.a ? 'B' : 'A';
        // A new (or retried) Client Hello restarts the handshake: Wireshark forgets the
        // ChangeCipherSpec frames used by its "encrypted handshake message" heuristic.
        c.ccsFrameServer = 0;
        c.ccsFrameClient = 0;
        c.serverKnown = true;
        c.clientHellos++;
        ClientHello ch = HandshakeMessages.clientHello(buf, b, end).valueOrNull();
        HelloFields hf = HelloFields.clientHello(buf, b - 4, end, fx.fields);
        if (ch != null) {
          c.serverName = ch.serverName();
          c.clientHelloVersion = ch.version();
          c.offeredSessionId = ch.sessionId();
          c.clientSessionIdEmpty = ch.sessionId().length == 0;
          c.ticketOffered = ch.sessionTicket();
          // TLS 1.3 or one of its drafts, offered in supported_versions or (drafts before 16) in
          // the legacy version field itself.
          c.clientOffered13 = ProtocolVersion.isTls13(ch.version());
          for (int v : ch.supportedVersions())
            if (ProtocolVersion.isTls13(v)) c.clientOffered13 = true;
          c.alpnOffered = List.copyOf(hf.alpn);
          c.grease = hf.grease;
          c.pskOffered = hf.pskOffered;
          c.pskAges = List.copyOf(hf.pskAges);
          c.echOffered = hf.ech;
          c.earlyDataOffered = hf.earlyData;
          if (c.clientHellos == 1) c.earlyDataInFirstHello = hf.earlyData;
          for (int g : ch.keyShareGroups())
            if (!HelloFields.isGrease(g) && !c.keySharesOffered.contains(g))
              c.keySharesOffered.add(g);
          if (c.clientHellos == 1) c.firstHello = new RetryHello.First(ch, hf.extensionBodies);
          else if (c.helloRetry && c.firstHello != null && c.retryHello == null)
            c.retryHello = RetryHello.of(c.firstHello, ch, hf.extensionBodies);
          if (c.decryption != null) c.decryption.clientHello(ch);
          if (hf.malformed != null) d.problem(c, fx, hf.malformed);
        } else {
          d.problem(c, fx, "malformed Client Hello");
        }
        d.handshake(c, fx, fromServer, ht, false, "Client Hello", ch, buf, b - 4, end, hf.fields);
      }
      case SERVER_HELLO -> {
        // Wireshark resets the session on a Server Hello too, a Hello Retry Request included
        // (ssl_reset_session in dissect_tls_handshake_full): it forgets the ChangeCipherSpec
        // frames, so a client's compatibility CCS sent with its 0-RTT data before a retry does
        // not make its second Client Hello "encrypted".
        c.ccsFrameServer = 0;
        c.ccsFrameClient = 0;
        ServerHello sh = HandshakeMessages.serverHello(buf, b, end).valueOrNull();
        HelloFields hf = HelloFields.serverHello(buf, b - 4, end, fx.fields);
        if (sh != null) {
          if (sh.helloRetryRequest()) {
            c.helloRetry = true;
            c.helloRetryGroup = sh.keyShareGroup();
            c.helloRetryCookie = hf.cookie;
          } else {
            c.sawServerHello = true;
          }
          c.cipherSuite = sh.cipherSuite();
          // A TLS 1.3 draft is TLS 1.3 for the notes (its messages and sections are the RFC's);
          // its name keeps the draft number.
          c.negotiatedVersion = ProtocolVersion.isTls13(sh.version()) ? 0x0304 : sh.version();
          c.negotiatedVersionOnWire = sh.version();
          c.serverHelloLegacyVersion = sh.legacyVersion();
          // TLS 1.0-1.2: a Server Hello after the server's Change Cipher Spec (read with keys)
          // answers a renegotiation; the connection's handshake mode stays the first one's.
          if (c.serverCcs && c.negotiatedVersion != 0x0304 && !sh.helloRetryRequest()) {
            c.renegotiations++;
            if (c.firstMode == null) c.firstMode = c.mode;
          }
          c.pskAccepted = sh.pskAccepted();
          c.sessionIdEchoed =
              c.offeredSessionId != null
                  && c.offeredSessionId.length > 0
                  && java.util.Arrays.equals(c.offeredSessionId, sh.sessionId());
          c.serverKeyShare = hf.keyShare;
          if (!hf.alpn.isEmpty()) c.alpnChosen = hf.alpn.get(0);
          if (c.negotiatedVersion == 0x0304) {
            if (sh.keyShareGroup() >= 0) c.keyExchangeGroup = sh.keyShareGroup();
            if (!sh.helloRetryRequest()) {
              int sel = hf.pskSelected;
              c.mode =
                  HandshakeMode.tls13(
                      sh.pskAccepted(),
                      sel >= 0 && sel < c.pskAges.size() ? c.pskAges.get(sel) : -1);
            }
          } else if (c.sessionIdEchoed) {
            c.mode = HandshakeMode.resumedTls12(c.ticketOffered, true);
          } else {
            c.mode = HandshakeMode.FULL;
          }
          c.resumed = c.mode.resumed();
          if (c.decryption != null && !sh.helloRetryRequest()) c.decryption.serverHello(sh);
          if (hf.malformed != null) d.problem(c, fx, hf.malformed);
        } else {
          d.problem(c, fx, "malformed Server Hello");
        }
        d.handshake(
            c,
            fx,
            fromServer,
            ht,
            hrr,
            hrr ? "Hello Retry Request" : "Server Hello",
            sh,
            buf,
            b - 4,
            end,
            hf.fields);
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
        int entries =
            certs == null
                ? 0
                : java.util.Objects.requireNonNullElse(
                    HandshakeMessages.certificateEntries(buf, b, end, tls13).valueOrNull(),
                    certs.size());
        if (certs != null && entries > certs.size())
          d.problem(
              c,
              fx,
              (entries - certs.size())
                  + " of "
                  + entries
                  + " certificates in the Certificate message do not decode as X.509");
        d.handshake(
            c,
            fx,
            fromServer,
            ht,
            false,
            "Certificate",
            certs == null ? null : new CertificateMessage(certs, entries),
            buf,
            b - 4,
            end,
            null);
      }
      case SERVER_KEY_EXCHANGE -> {
        c.sawServerKeyExchange = true;
        Integer g = HandshakeMessages.serverKeyExchangeGroup(buf, b, end).valueOrNull();
        if (g != null && g >= 0) c.keyExchangeGroup = g;
        d.handshake(c, fx, fromServer, ht, false, "Server Key Exchange", g, buf, b - 4, end, null);
      }
      case SERVER_HELLO_DONE -> {
        c.sawServerHelloDone = true;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
      }
      case NEW_SESSION_TICKET -> {
        c.ticketsIssued++;
        Long life = HandshakeMessages.newSessionTicketLifetime(buf, b, end).valueOrNull();
        if (life != null) c.ticketLifetime = life;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), life, buf, b - 4, end, null);
      }
      case CLIENT_KEY_EXCHANGE -> {
        if (c.decryption != null) c.decryption.clientKeyExchange(buf, b, end);
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
      }
      case CERTIFICATE_REQUEST -> {
        if (fromServer) c.sawCertificateRequest = true;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
      }
      case CERTIFICATE_VERIFY -> {
        if (!fromServer) c.sawClientCertificateVerify = true;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
      }
      case FINISHED -> {
        if (c.decryption != null) c.decryption.finished(fromServer);
        // TLS 1.3: a second Finished from one side ends a post-handshake authentication (4.6.2).
        Boolean again =
            c.negotiatedVersion == 0x0304 && (fromServer ? c.serverFinished : c.clientFinished);
        if (fromServer) c.serverFinished = true;
        else c.clientFinished = true;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), again, buf, b - 4, end, null);
      }
      case ENCRYPTED_EXTENSIONS -> {
        HelloFields hf = HelloFields.encryptedExtensions(buf, b - 4, end, fx.fields);
        if (fromServer && !hf.alpn.isEmpty()) c.alpnChosen = hf.alpn.get(0);
        if (fromServer && c.earlyDataOffered) c.earlyDataAccepted = hf.earlyData;
        if (!fromServer) c.clientEncryptedExtensions = true;
        else c.serverEncryptedExtensions = true;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, hf.fields);
      }
      case CERTIFICATE_STATUS -> {
        CertificateStatus status = CertificateStatus.parse(buf, b, end, c.serverChain);
        c.certificateStatus = status;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), status, buf, b - 4, end, null);
      }
      case HELLO_REQUEST -> {
        if (tls12(c) && c.serverCcs && c.renegotiationFrame < 0) c.renegotiationFrame = fx.frameNo;
        d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
      }
      case KEY_UPDATE -> {
        // struct { KeyUpdateRequest request_update; } KeyUpdate; (RFC 8446 4.6.3)
        int request = b < end ? buf[b] & 0xff : -1;
        KeyUpdate ku = c.keyUpdate(fromServer ? Sender.SERVER : Sender.CLIENT, fx.frameNo, request);
        d.handshake(c, fx, fromServer, ht, false, ht.label(), ku, buf, b - 4, end, null);
      }
      default -> d.handshake(c, fx, fromServer, ht, false, ht.label(), null, buf, b - 4, end, null);
    }
  }
}
