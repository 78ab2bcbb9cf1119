package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import tlslab.wire.HandshakeMode;
import tlslab.wire.KeyExchangeKind;
import tlslab.wire.NamedGroup;

/**
 * What one TLS connection amounted to, in sentences rendered from its {@link ConnectionFacts}:
 * version, cipher suite, key exchange and whether it is forward secret, certificates, handshake
 * mode, tickets, alerts, decryption status.
 *
 * @param index connection number (1-based, order of first frame)
 * @param client client address:port
 * @param server server address:port
 * @param lines human-readable facts, one per line
 */
public record ConnectionSummary(int index, String client, String server, List<String> lines) {

  static ConnectionSummary of(ConnectionFacts f, boolean keysGiven) {
    List<String> l = new ArrayList<>();
    int v = f.version();
    l.add("version: " + (v < 0 ? "unknown (no Server Hello seen)" : f.versionName()));
    if (!f.rolesKnown())
      l.add("roles: no Client Hello seen; the first sender is taken to be the client");
    if (f.proxy() != null)
      l.add("proxy: the client asked a proxy for " + f.proxy() + "; the TLS server is behind it");
    if (f.serverName() != null)
      l.add(
          "server name (SNI): "
              + f.serverName()
              + (f.echOffered()
                  ? " (the outer name: the hello also carries encrypted_client_hello, which may"
                      + " hide the real one)"
                  : ""));
    if (!f.alpnOffered().isEmpty())
      l.add(
          "ALPN offered: "
              + String.join(", ", f.alpnOffered())
              + (f.alpnChosen() != null
                  ? "; chosen: " + f.alpnChosen()
                  : f.alpnAnswerSeen()
                      ? "; chosen: none (the server's "
                          + (v == 0x0304 ? "Encrypted Extensions" : "Server Hello")
                          + " has no ALPN)"
                      : v == 0x0304 && f.mode() != HandshakeMode.UNKNOWN
                          ? "; chosen: encrypted (Encrypted Extensions"
                              + (keysGiven ? ", not decrypted)" : ", a key log shows it)")
                          : ""));
    if (f.cipherSuite() >= 0) {
      l.add("cipher suite: " + f.cipherSuiteName());
      KeyExchangeKind k = f.keyExchange();
      String kx =
          switch (k) {
            case RSA_TRANSPORT ->
                "RSA key transport (premaster secret encrypted with the server's certificate key)";
            case UNKNOWN -> "unknown (a suite the lab does not know)";
            default ->
                k.label()
                    + (f.keyExchangeGroup() >= 0
                        ? " " + NamedGroup.nameOf(f.keyExchangeGroup())
                        : "");
          };
      if (f.mode() == HandshakeMode.UNKNOWN) {
        // Only a Hello Retry Request: it names version and suite, but no key was agreed.
        l.add("key exchange: none agreed (no Server Hello followed the Hello Retry Request)");
      } else if (f.mode().resumed() && v != 0x0304) {
        l.add(
            "key exchange: none in this abbreviated handshake; it reuses the master secret of an"
                + " earlier "
                + "session, whose key exchange decides forward secrecy");
      } else {
        l.add(
            "key exchange: "
                + kx
                + (k == KeyExchangeKind.UNKNOWN
                    ? ""
                    : f.forwardSecret()
                        ? f.earlyDataOffered()
                            ? " - forward secret, except the client's 0-RTT early data (keys"
                                + " from the pre-shared key alone, RFC 8446 2.3)"
                            : " - forward secret"
                        : k == KeyExchangeKind.PSK
                            ? " - NOT forward secret: whoever learns "
                                + Explanations.pskSecret(f.mode())
                                + " decrypts it"
                            : " - NOT forward secret: the server's private key decrypts every"
                                + " recorded session"));
      }
    }
    if (f.keySharesOffered().stream().anyMatch(ConnectionFacts::postQuantum)) {
      List<String> offered = new ArrayList<>();
      for (int g : f.keySharesOffered()) offered.add(NamedGroup.nameOf(g));
      l.add(
          "key shares offered: "
              + String.join(", ", offered)
              + (f.mode() == HandshakeMode.UNKNOWN
                  ? ""
                  : f.keyExchangeGroup() < 0
                      ? "; the server chose none of them"
                      : "; the server chose "
                          + NamedGroup.nameOf(f.keyExchangeGroup())
                          + (f.postQuantumOfferedNotChosen()
                              ? ", a classical group: not post-quantum"
                              : ", post-quantum")));
    }
    for (X509Certificate x : f.serverCertificates())
      l.add(
          "certificate server: subject "
              + x.getSubjectX500Principal().getName()
              + ", issuer "
              + x.getIssuerX500Principal().getName());
    for (X509Certificate x : f.clientCertificates())
      l.add(
          "certificate client: subject "
              + x.getSubjectX500Principal().getName()
              + ", issuer "
              + x.getIssuerX500Principal().getName());
    if (v == 0x0304
        && f.serverCertificates().isEmpty()
        && !f.mode().psk()
        && f.mode() != HandshakeMode.UNKNOWN) {
      l.add("certificates: encrypted in TLS 1.3 (visible only with a key log)");
    }
    if (f.certificateStatus() != null) l.add("stapled OCSP: " + ocsp(f.certificateStatus()));
    if (f.clientCertificateSent()) l.add("client authentication: the client sent a certificate");
    else if (f.certificateRequest())
      l.add("client authentication: requested, but the client sent no certificate");
    if (f.helloRetryRequest()) l.add("Hello Retry Request: " + helloRetry(f));
    if (v >= 0)
      l.add(
          "handshake: "
              + f.mode().label()
              + (f.handshakeFinished()
                  ? endedByFatalAlert(f.alerts())
                  : ", " + notCompleted(f.alerts(), v == 0x0304)));
    if (f.earlyDataOffered()) l.add("early data (0-RTT): " + earlyData(f));
    if (f.renegotiationFrame() >= 0)
      l.add(
          "renegotiation: handshake messages after the first handshake's Finished, under its keys"
              + " (from frame "
              + f.renegotiationFrame()
              + ", RFC 5746): "
              + (f.renegotiationMode() != null
                  ? "a new handshake, " + f.renegotiationMode().label()
                  : keysGiven && f.decryptedRecords() > 0
                      ? "no Server Hello answered it"
                      : "encrypted, so whether it was refused or completed is hidden without keys"));
    if (f.ticketsIssued() > 0) {
      l.add(
          "session tickets issued: "
              + f.ticketsIssued()
              + (f.ticketLifetime() >= 0
                  ? v == 0x0304
                      ? " (lifetime " + f.ticketLifetime() + " s)"
                      : " (lifetime hint " + f.ticketLifetime() + " s)"
                  : ""));
    } else if (v >= 0 && v != 0x0304) {
      l.add("session tickets issued: none visible");
    }
    for (KeyUpdate k : f.keyUpdates()) l.add("key update: " + keyUpdate(k));
    boolean anyReadable = false;
    for (TlsAlert a : f.alerts()) {
      anyReadable |= a.readable();
      l.add(
          "alert: "
              + a.sender().label()
              + " sent "
              + (a.readable()
                  ? (a.level() == 2 ? "fatal " : a.level() == 1 ? "warning " : "") + a.name()
                  : "an encrypted alert (which one is hidden without keys)")
              + " (frame "
              + a.frame()
              + ")");
    }
    if (f.alerts().isEmpty()) {
      if (v == 0x0304 && f.decryptedRecords() == 0)
        l.add("alerts: none visible (TLS 1.3 alerts are encrypted; a key log shows them)");
      else l.add("alerts: none");
    }
    for (String p : f.problems()) l.add("problem: " + p);
    if (keysGiven) {
      if (f.decryptedRecords() > 0) {
        // Decryption can stop part way (a record that fails to authenticate): say so.
        l.add(
            "decryption: "
                + f.decryptedRecords()
                + " records decrypted"
                + (f.decryptionStatus() != null
                    ? "; then it stopped: " + f.decryptionStatus()
                    : ""));
      } else if (f.decryptionStatus() != null) {
        l.add("decryption: not possible - " + f.decryptionStatus());
      } else {
        l.add("decryption: no keys matched this session");
      }
    }
    return new ConnectionSummary(f.index(), f.client(), f.server(), List.copyOf(l));
  }

  /**
   * One Key Update and its link to the other side's (RFC 8446 4.6.3): what it asked, what it
   * answered, and for a request whether an answer was read.
   */
  static String keyUpdate(KeyUpdate k) {
    String who = k.sender().label();
    String peer = k.sender() == Sender.CLIENT ? "server" : "client";
    StringBuilder sb = new StringBuilder(who).append(" (frame ").append(k.frame()).append(")");
    if (k.answersFrame() >= 0)
      sb.append(", answering the ")
          .append(peer)
          .append("'s update_requested (frame ")
          .append(k.answersFrame())
          .append(")");
    if (k.requested()) {
      sb.append(", update_requested: ");
      if (k.answeredFrame() >= 0)
        sb.append("the ").append(peer).append(" answered in frame ").append(k.answeredFrame());
      else
        sb.append("no Key Update from the ")
            .append(peer)
            .append(" was read after it (RFC 8446 4.6.3 requires one before the ")
            .append(peer)
            .append("'s next application data)");
    } else if (k.requestUpdate() == 0) {
      sb.append(", update_not_requested");
    } else {
      sb.append(", request_update ").append(k.requestUpdate()).append(" (invalid)");
    }
    return sb.toString();
  }

  /** What a Hello Retry Request asked for: a key share on another group, its cookie, or both. */
  static String helloRetry(ConnectionFacts f) {
    String cookie = "to send back its cookie (RFC 8446 4.2.2)";
    if (f.helloRetryGroup() < 0)
      return f.helloRetryCookie()
          ? "the server asked the client " + cookie + "; it named no other group"
          : "the server named no group and sent no cookie";
    return "the server asked for a key share on "
        + NamedGroup.nameOf(f.helloRetryGroup())
        + (f.helloRetryCookie() ? ", and " + cookie : "");
  }

  /** Why a handshake is not seen to complete: the alert that ended it, or the capture's end. */
  static String notCompleted(List<TlsAlert> alerts, boolean tls13) {
    for (TlsAlert a : alerts) {
      if (!a.readable())
        return "not completed: an encrypted alert from the "
            + a.sender().label()
            + " (frame "
            + a.frame()
            + ") came before the handshake's end (which alert is hidden without keys)";
      if (a.level() == 2)
        return "not completed: the "
            + a.sender().label()
            + " ended it with a fatal "
            + a.name()
            + " alert (frame "
            + a.frame()
            + ")";
    }
    return tls13
        ? "not seen to complete: the capture holds nothing encrypted from the client after the"
            + " Server Hello, so not its Finished"
        : "not seen to complete: the capture does not show both sides' Change Cipher Spec and"
            + " Finished";
  }

  /**
   * A completed handshake that a fatal alert ended later, e.g. a TLS 1.3 server that reads the
   * client's empty Certificate and Finished, then sends certificate_required (RFC 8446 4.4.2.4):
   * the handshake messages all went, but the connection did not go on. Empty when no fatal alert
   * was read.
   */
  static String endedByFatalAlert(List<TlsAlert> alerts) {
    for (TlsAlert a : alerts)
      if (a.readable() && a.level() == 2)
        return ", then the "
            + a.sender().label()
            + " ended the connection with a fatal "
            + a.name()
            + " alert (frame "
            + a.frame()
            + ")";
    return "";
  }

  /** Whether the client's 0-RTT data was accepted, as far as the capture tells. */
  static String earlyData(ConnectionFacts f) {
    String sent =
        "the client sent application data before any answer, under keys from the pre-shared key"
            + " alone: not forward secret, and replayable (RFC 8446 2.3, 8); ";
    if (f.earlyDataAccepted() == null)
      return sent
          + "whether the server accepted it is in its Encrypted Extensions, which are encrypted (a"
          + " key log shows them)";
    if (f.earlyDataAccepted())
      return sent + "the server accepted it (early_data in its Encrypted Extensions)";
    if (f.helloRetryRequest())
      return sent
          + "the server answered with a Hello Retry Request, which rejects it: the client's second"
          + " hello leaves early_data out, and the server skipped those records (RFC 8446 4.2.10)";
    return sent
        + (f.mode().psk()
            ? "the server did not accept it (no early_data in its Encrypted Extensions) and"
                + " skipped those records"
            : "the server did not take the pre-shared key, so it skipped those records (RFC 8446"
                + " 4.2.10)");
  }

  /**
   * A stapled OCSP answer in a few words: "good", "REVOKED since T (reason R)", "unknown", the
   * responder's error, or why it could not be read; then who signed it and the validity window.
   */
  static String ocsp(CertificateStatus cs) {
    if (cs.problem() != null) return "unreadable: " + cs.problem();
    if (cs.certStatus() == null)
      return "the responder answered " + cs.responseStatus() + " (no status)";
    StringBuilder sb = new StringBuilder();
    switch (cs.certStatus()) {
      case REVOKED -> {
        sb.append("status REVOKED since ").append(cs.revokedAt());
        if (cs.reason() != null) sb.append(" (reason ").append(cs.reason()).append(')');
      }
      case GOOD -> sb.append("status good");
      case UNKNOWN -> sb.append("status unknown");
    }
    return sb.append(", signed by ")
        .append(Explanations.ocspResponder(cs))
        .append(" (signature ")
        .append(Explanations.ocspSignature(cs))
        .append("), thisUpdate ")
        .append(cs.thisUpdate())
        .append(cs.nextUpdate() != null ? ", nextUpdate " + cs.nextUpdate() : ", no nextUpdate")
        .toString();
  }
}
