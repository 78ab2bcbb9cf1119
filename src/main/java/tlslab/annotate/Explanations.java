package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import tlslab.wire.AlertDescription;
import tlslab.wire.CipherSuite;
import tlslab.wire.ClientHello;
import tlslab.wire.HandshakeMode;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;
import tlslab.wire.NamedGroup;
import tlslab.wire.ProtocolVersion;
import tlslab.wire.ServerHello;

/**
 * Plain-language notes for each TLS message, chosen by what the message is, who sent it, the
 * version, the handshake mode and the suite, never by its label text. Each note cites the section
 * of the RFC for the version in front of the student: RFC 8446 for TLS 1.3, 5246 for 1.2, 4346 and
 * 2246 for 1.1 and 1.0; and 5077, 6066, 6960, 7301, 7465, 7918, 8422, 8701, 8996 where they apply.
 *
 * <p>The student report's corrections ("as the report says") are added only when the capture is the
 * lab's own ({@code lab annotate --report}, the demo): on anyone else's traffic they would be
 * asides about a document the reader never saw.
 *
 * <p>A note that would repeat on every record (Application Data, encrypted alerts, TCP
 * retransmissions) is said once per connection and sender.
 */
final class Explanations {

  /** What a note is about: the message and its connection as known at that point. */
  static final class Msg {
    Connection c;
    boolean fromServer;
    TlsMessage.Kind kind;
    HandshakeType type = HandshakeType.UNKNOWN;
    boolean hrr;
    String label;
    Object detail;
    int recordVersion = -1;
    boolean report;

    /** The report's corrections said in this note, as values (filled by {@link #explain}). */
    final List<Correction> corrections = new ArrayList<>();
  }

  /**
   * {@code text} when the report's corrections are on (and records {@code summary} as one of this
   * message's corrections), otherwise "". The note keeps its wording; {@code summary} says the same
   * on its own, for the connection's list of corrections.
   */
  private static String report(Msg m, boolean confirms, String text, String summary) {
    if (!m.report) return "";
    m.corrections.add(new Correction(confirms, summary));
    return text;
  }

  String explain(Msg m) {
    m.corrections.clear();
    return switch (m.kind) {
      case HANDSHAKE -> handshake(m);
      case ENCRYPTED_HANDSHAKE -> encryptedHandshake(m);
      case CHANGE_CIPHER_SPEC -> changeCipherSpec(m);
      case ALERT -> alert(m);
      case ENCRYPTED_ALERT ->
          once(m, "encrypted-alert")
              ? "Encrypted Alert: an alert sent under the session keys ("
                  + ref(version(m), "6", "7.2")
                  + "). Its level and description are encrypted, so without keys any alert could"
                  + " be inside: a close_notify (a clean shutdown) is common as the last record of"
                  + " a connection, an error alert ends a failed exchange. Keys (--keylog) would"
                  + " show it."
              : "";
      case APPLICATION_DATA -> applicationData(m);
      case HEARTBEAT ->
          m.label
              + " (RFC 6520): a keep-alive probe and its echo; the Heartbleed bug (CVE-2014-0160)"
              + " answered with more bytes than were sent.";
      case OTHER -> other(m);
    };
  }

  // --- handshake messages -------------------------------------------------------------------

  private String handshake(Msg m) {
    Connection c = m.c;
    int v = version(m);
    return switch (m.type) {
      case CLIENT_HELLO -> clientHello(m, (ClientHello) m.detail);
      case SERVER_HELLO -> m.hrr ? helloRetry(m, (ServerHello) m.detail) : serverHello(m);
      case CERTIFICATE -> certificate(m);
      case SERVER_KEY_EXCHANGE -> serverKeyExchange(m);
      case CERTIFICATE_REQUEST ->
          v == 0x0304 && c.serverFinished
              ? "Certificate Request after the handshake (RFC 8446 4.6.2, post-handshake"
                  + " authentication): the server asks for a client certificate now, which it may"
                  + " do only because the client offered post_handshake_auth. The client answers"
                  + " with Certificate, Certificate Verify and Finished, all encrypted under the"
                  + " application keys."
              : "Certificate Request ("
                  + ref(v, "4.3.2", "7.4.4")
                  + "): the server asks the client for a certificate (client authentication, \"mutual"
                  + " TLS\")"
                  + (v == 0x0304
                      ? "; in TLS 1.3 it travels encrypted, after Encrypted Extensions."
                      : "; the client answers with a Certificate (possibly empty) and, if it has a key,"
                          + " a Certificate Verify.");
      case SERVER_HELLO_DONE ->
          "Server Hello Done ("
              + ref(v, null, "7.4.5")
              + "): the server's first flight is complete (a full handshake: an abbreviated one"
              + " has none); the client now sends "
              + (c.sawCertificateRequest
                  ? "its Certificate (it was asked for one), then its key exchange."
                  : "its key exchange.");
      case CLIENT_KEY_EXCHANGE -> clientKeyExchange(m);
      case CERTIFICATE_VERIFY ->
          "Certificate Verify ("
              + ref(v, "4.4.3", "7.4.8")
              + "): the "
              + who(m)
              + "'s signature over the handshake so far, made with the private key of the"
              + " certificate it just sent: it proves it holds that key"
              + (v == 0x0304 ? "." : " (in TLS 1.0-1.2 only the client sends one).");
      case FINISHED ->
          Boolean.TRUE.equals(m.detail)
              ? "Finished after post-handshake authentication (RFC 8446 4.4.4, 4.6.2): the "
                  + who(m)
                  + "'s MAC over the handshake and this Certificate Request, Certificate and"
                  + " Certificate Verify, keyed from its current application traffic secret; it"
                  + " binds the certificate to this connection. The traffic keys do not change."
              : "Finished ("
                  + ref(v, "4.4.4", "7.4.9")
                  + "): the "
                  + who(m)
                  + "'s MAC over the whole handshake, keyed by the new secrets; it proves both sides saw"
                  + " the same messages and derived the same keys. Without keys Wireshark shows this"
                  + " record as "
                  + (v == 0x0304
                      ? "\"Application Data\" (RFC 8446 5.2)."
                      : "\"Encrypted Handshake Message\".");
      case NEW_SESSION_TICKET -> newSessionTicket(m);
      case ENCRYPTED_EXTENSIONS -> encryptedExtensions(m);
      case CERTIFICATE_STATUS -> certificateStatus(m);
      case KEY_UPDATE -> keyUpdate(m);
      case END_OF_EARLY_DATA ->
          "End Of Early Data (RFC 8446 4.5): the client's 0-RTT data is over; from here it uses the"
              + " handshake keys.";
      case HELLO_REQUEST ->
          "Hello Request ("
              + ref(v, null, "7.4.1.1")
              + "): the server asks the client to start a new handshake (renegotiation).";
      case COMPRESSED_CERTIFICATE ->
          "Compressed Certificate (RFC 8879): the "
              + who(m)
              + "'s Certificate message, compressed (brotli, zlib or zstd) to save bytes.";
      case MESSAGE_HASH, HELLO_RETRY_REQUEST, HELLO_VERIFY_REQUEST -> m.label + ".";
      default -> m.label + ": a handshake message the lab does not describe.";
    };
  }

  private String clientHello(Msg m, ClientHello ch) {
    Connection c = m.c;
    if (ch == null) return "Client Hello (could not be parsed: see the problem below).";
    boolean second = c.clientHellos > 1 && c.helloRetry;
    StringBuilder sb = new StringBuilder();
    if (second) {
      List<String> changes = new ArrayList<>();
      if (c.helloRetryGroup >= 0)
        changes.add(
            "a key share on the group the server named ("
                + NamedGroup.nameOf(c.helloRetryGroup)
                + ")");
      if (c.helloRetryCookie) changes.add("the server's cookie sent back (RFC 8446 4.2.2)");
      RetryHello r = c.retryHello;
      if (r != null) changes.addAll(r.allowed());
      sb.append(
          "Second Client Hello (RFC 8446 4.1.2, 4.1.4): the client answers the Hello Retry Request"
              + " with a new hello, "
              + (r == null ? "which 4.1.2 asks to be " : "")
              + "the same as the first"
              + (changes.isEmpty()
                  ? " (the retry named no group and sent no cookie)"
                  : " except for " + join(changes))
              + ". ");
      if (r != null && !r.notAllowed().isEmpty())
        sb.append("It also differs in ")
            .append(join(r.notAllowed()))
            .append(", which RFC 8446 4.1.2 does not allow a retry to change. ");
    }
    List<String> versions = new ArrayList<>();
    for (int sv : ch.supportedVersions())
      if (!HelloFields.isGrease(sv)) versions.add(ProtocolVersion.nameOf(sv));
    int suites = 0;
    for (int cs : ch.cipherSuites()) if (!HelloFields.isGrease(cs) && cs != 0x00ff) suites++;
    if (!second && c.clientHellos > 1) {
      sb.append(
          c.clientCcs
              ? "A new Client Hello under the session keys: the client starts a renegotiation"
                  + " (RFC 5746), a new handshake inside the encrypted connection. "
              : "A further Client Hello on this connection in the clear, with no Hello Retry"
                  + " Request before it: not a step of a normal handshake (a duplicate, or a crafted"
                  + " one). ");
    }
    if (!second) {
      sb.append("Client Hello (")
          .append(c.clientOffered13 ? "RFC 8446 4.1.2" : ref(ch.version(), null, "7.4.1.2"))
          .append("): the client opens the handshake and offers ")
          .append(suites)
          .append(suites == 1 ? " cipher suite" : " cipher suites");
      if (!versions.isEmpty()) {
        sb.append(versions.size() == 1 ? " and the version " : " and the versions ")
            .append(String.join(", ", versions))
            .append(" in supported_versions (RFC 8446 4.2.1: the legacy_version field stays ")
            .append(ProtocolVersion.nameOf(ch.version()))
            .append(")");
      } else {
        sb.append(", up to ").append(ProtocolVersion.nameOf(ch.version()));
        if (ProtocolVersion.isTls13(ch.version()))
          sb.append(" in the version field itself, as TLS 1.3 drafts before 16 did");
      }
      if (ch.serverName() != null)
        sb.append("; server name (SNI, RFC 6066 3) ").append(ch.serverName());
      sb.append(". Its 32-byte random is a nonce mixed into the key derivation.");
      if (!c.alpnOffered.isEmpty())
        sb.append(" ALPN (RFC 7301 3.1) offers ")
            .append(String.join(", ", c.alpnOffered))
            .append('.');
      if (ch.keyShareGroups().length > 0) {
        List<String> g = new ArrayList<>();
        List<NamedGroup> hybrid = new ArrayList<>();
        for (int x : ch.keyShareGroups()) {
          if (HelloFields.isGrease(x)) continue;
          g.add(NamedGroup.nameOf(x));
          NamedGroup known = NamedGroup.of(x);
          if (known.kind() == NamedGroup.Kind.HYBRID && !hybrid.contains(known)) hybrid.add(known);
        }
        sb.append(" key_share (RFC 8446 4.2.8) already carries public keys for ")
            .append(g.isEmpty() ? "no real group" : String.join(", ", g))
            .append(", so a TLS 1.3 server can answer in one round trip.");
        for (NamedGroup hg : hybrid) {
          sb.append(' ')
              .append(hg.rfcName())
              .append(" is a post-quantum hybrid (")
              .append(hg.spec())
              .append("): one share holding ")
              .append(hg.parts())
              .append(
                  " public keys, over a kilobyte, which is why hellos that offer it are large.");
        }
      }
      if (c.pskOffered) sb.append(" pre_shared_key (RFC 8446 4.2.11): ").append(pskOffer(c));
      if (c.earlyDataOffered && c.clientOffered13)
        sb.append(
            " early_data (RFC 8446 4.2.10): it sends application data right behind this hello"
                + " (0-RTT), encrypted with keys from the pre-shared key alone: not forward secret,"
                + " and replayable by an attacker (RFC 8446 8). The server's Encrypted Extensions"
                + " says whether it accepted them.");
      if (ch.sessionTicket())
        sb.append(
            " It presents a session ticket (RFC 5077 3.1) to resume an earlier session without"
                + " a full handshake.");
      else if (ch.sessionId().length > 0 && !c.clientOffered13)
        sb.append(
            " Its session id names an earlier session it wants to resume ("
                + ref(ch.version(), null, "7.4.1.2")
                + ").");
      if (c.echOffered)
        sb.append(
            " encrypted_client_hello (ECH, draft-ietf-tls-esni): either random bytes (GREASE ECH,"
                + " which Chrome sends when it holds no ECH key for the server) or a real, encrypted"
                + " inner Client Hello, whose server name is then hidden"
                + (ch.serverName() != null ? " and the SNI above only the outer, public name" : "")
                + ". The capture alone does not tell which.");
      if (c.grease)
        sb.append(
            " Values such as 0x?a?a are GREASE (RFC 8701): reserved codes sent at random so that"
                + " servers keep ignoring what they do not know; they are not real offers.");
      if (!c.clientOffered13 && ch.version() < 0x0303 && ch.version() >= 0x0301)
        sb.append(" TLS 1.0 and 1.1 are deprecated (RFC 8996): modern servers refuse them.");
    }
    if (m.recordVersion >= 0 && m.recordVersion != ch.version()) {
      sb.append(" The record header says ")
          .append(ProtocolVersion.of(m.recordVersion).rfcName())
          .append(
              c.clientOffered13
                  ? " (legacy_record_version, kept low for old servers, RFC 8446 5.1);"
                  : " (a lower record version for old servers, RFC 5246 E.1);")
          .append(" the version is chosen in the Server Hello.");
    }
    if (c.proxyTarget != null)
      sb.append(" This connection goes through a proxy (")
          .append(c.proxyKind)
          .append(" in frame ")
          .append(c.proxyFrame)
          .append("): the TLS server is ")
          .append(c.proxyTarget)
          .append(" behind it, not the address in the IP header.");
    if (!second)
      sb.append(
          report(
              m,
              false,
              " (The report says the random \"generates the AES key\": it does not by itself.)",
              "The report says the hello's random \"generates the AES key\": it does not by"
                  + " itself; the keys come from the key exchange's secret mixed with both"
                  + " randoms."));
    return sb.toString().strip();
  }

  /**
   * What a TLS 1.3 server's key share on {@code group} completes (RFC 8446 4.2.8): an (EC)DHE
   * exchange, a post-quantum hybrid or ML-KEM; never "(EC)DHE" for a group that is not.
   */
  private static String serverKeyShare(int group) {
    if (group < 0)
      return "Its key share completes an ephemeral (EC)DHE exchange (RFC 8446 4.2.8): forward"
          + " secret.";
    NamedGroup g = NamedGroup.of(group);
    String on = "Its key share on " + NamedGroup.nameOf(group);
    return switch (g.kind()) {
      case ECDHE, FFDHE ->
          on + " completes an ephemeral (EC)DHE exchange (RFC 8446 4.2.8): forward secret.";
      case HYBRID ->
          on
              + " completes a post-quantum hybrid key exchange ("
              + g.spec()
              + "): one share holding "
              + g.parts()
              + " parts, a KEM ciphertext made for the client's fresh encapsulation key beside an"
              + " ephemeral (EC)DH key. The shared secret joins both, so it stays secret while"
              + " either part holds: forward secret, and made so that traffic recorded today"
              + " resists a future quantum computer.";
      case KEM ->
          on
              + " is an ML-KEM ciphertext ("
              + g.spec()
              + ") made for the client's fresh encapsulation key: forward secret and post-quantum,"
              + " with no classical (EC)DHE beside it.";
      case UNKNOWN ->
          on
              + " completes a key exchange the lab does not know (RFC 8446 4.2.8); TLS 1.3 key"
              + " shares are fresh for each handshake, so it is forward secret if the group is"
              + " sound.";
    };
  }

  /**
   * " The client also offered X25519MLKEM768 ..." when the client's key shares held a post-quantum
   * group the server did not choose ({@link ConnectionFacts#postQuantumNotChosen}), else "".
   */
  private static String postQuantumNotChosen(Connection c) {
    if (!ConnectionFacts.postQuantumNotChosen(c.keySharesOffered, c.keyExchangeGroup)) return "";
    List<String> pq = new ArrayList<>();
    for (int g : c.keySharesOffered)
      if (ConnectionFacts.postQuantum(g)) pq.add(NamedGroup.nameOf(g));
    return " The client also offered a key share on "
        + String.join(" and ", pq)
        + (pq.size() == 1 ? ", a post-quantum group" : ", post-quantum groups")
        + "; the server did not choose "
        + (pq.size() == 1 ? "it" : "them")
        + (c.serverKeyShare && c.keyExchangeGroup >= 0
            ? ", so this key exchange is classical only, not post-quantum."
            : ".");
  }

  /** "(EC)DHE exchange", or what a key share on {@code group} really is, after "a fresh". */
  private static String exchangeOn(int group) {
    if (group < 0) return "(EC)DHE exchange";
    String on = " on " + NamedGroup.nameOf(group);
    return switch (NamedGroup.of(group).kind()) {
      case ECDHE, FFDHE -> "(EC)DHE exchange" + on;
      case HYBRID -> "post-quantum hybrid exchange" + on;
      case KEM -> "ML-KEM exchange" + on;
      case UNKNOWN -> "key exchange" + on;
    };
  }

  private String helloRetry(Msg m, ServerHello sh) {
    Connection c = m.c;
    String why;
    if (c.helloRetryGroup >= 0) {
      why =
          "The server accepts TLS 1.3 but none of the client's key shares; it names the group to"
              + " use ("
              + NamedGroup.nameOf(c.helloRetryGroup)
              + ")"
              + (c.helloRetryCookie
                  ? " and sends a cookie the client must send back (RFC 8446 4.2.2)."
                  : ".");
    } else if (c.helloRetryCookie) {
      why =
          "It names no other group (its key_share is absent): the server asks only for its cookie"
              + " back (RFC 8446 4.2.2), for instance to see that the client really is at its"
              + " address before it keeps any state.";
    } else {
      why = "It names no group and sends no cookie, so it asks for nothing a retry could change.";
    }
    return "Hello Retry Request (RFC 8446 4.1.4): a Server Hello with a fixed special random. "
        + why
        + " The client must send a second Client Hello; the handshake transcript restarts with a"
        + " hash of the first hello (RFC 8446 4.4.1).";
  }

  private String serverHello(Msg m) {
    Connection c = m.c;
    ServerHello sh = (ServerHello) m.detail;
    if (sh == null) return "Server Hello (could not be parsed: see the problem below).";
    int v = ProtocolVersion.isTls13(sh.version()) ? 0x0304 : sh.version();
    StringBuilder sb = new StringBuilder("Server Hello (").append(ref(v, "4.1.3", "7.4.1.3"));
    sb.append("): the server chooses ")
        .append(ProtocolVersion.nameOf(sh.version()))
        .append(" and ")
        .append(CipherSuite.labelOf(sh.cipherSuite()))
        .append(". ");
    if (v == 0x0304) {
      if (ProtocolVersion.tls13Draft(sh.version(), sh.legacyVersion()))
        sb.append(
            "That is a draft of TLS 1.3, before RFC 8446: its messages are close to the RFC's,"
                + " some codes and the key schedule's labels differ. ");
      if (ProtocolVersion.isTls13(sh.legacyVersion()))
        sb.append(
            "The version field itself names it, as drafts before 22 did (RFC 8446 moved it to"
                + " the supported_versions extension, 4.2.1). ");
      else
        sb.append(
            "TLS 1.3 is chosen by the supported_versions extension (RFC 8446 4.2.1); the"
                + " legacy_version field still says TLS 1.2. ");
      if (c.mode.psk()) {
        sb.append("It accepts the client's pre-shared key (RFC 8446 4.2.11, 2.2): ")
            .append(
                switch (c.mode) {
                  case TLS13_EXTERNAL_PSK ->
                      "a key set up outside TLS (an external PSK: its obfuscated_ticket_age is 0, as"
                          + " 4.2.11 asks for such keys), not a resumption of an earlier session";
                  case TLS13_PSK ->
                      "a resumption from an earlier session's ticket (its obfuscated_ticket_age is"
                          + " not 0)";
                  default ->
                      "from an earlier ticket or set up outside TLS (its identity does not parse)";
                })
            .append(", so no Certificate or Certificate Verify follows. ");
        sb.append(
            c.serverKeyShare
                ? "With its key share the PSK is combined with a fresh "
                    + exchangeOn(c.keyExchangeGroup)
                    + " (psk_dhe_ke, 4.2.9): forward secret."
                : "Without a key share this is psk_ke (4.2.9): no fresh Diffie-Hellman, so whoever"
                    + " learns "
                    + pskSecret(c.mode)
                    + " can decrypt it.");
      } else {
        sb.append(serverKeyShare(c.keyExchangeGroup))
            .append(" The server's certificate only signs (Certificate Verify).");
      }
      sb.append(postQuantumNotChosen(c));
      sb.append(
          " Every handshake message after this one is encrypted (RFC 8446 2), and so is the"
              + " application data: without keys Wireshark shows those records as Application"
              + " Data. Only a compatibility Change Cipher Spec (D.4), and an alert sent before its"
              + " sender switched to the handshake keys, stay in the clear.");
      if (!c.mode.psk())
        sb.append(
            report(
                m,
                false,
                " (The report says the Server Hello sends back the certificate: in TLS 1.3 the"
                    + " Certificate is a separate, encrypted message.)",
                "The report says the Server Hello sends back the certificate: in TLS 1.3 the"
                    + " Certificate is a separate, encrypted message."));
      return sb.toString();
    }
    switch (c.mode) {
      case RESUMED_SESSION_ID ->
          sb.append(
              "It echoes the session id the client offered: an abbreviated handshake ("
                  + ref(v, null, "7.3")
                  + ") that reuses the earlier session's master secret. There is no Certificate"
                  + " and no key exchange; Change Cipher Spec and Finished follow at once.");
      case RESUMED_TICKET_OR_SESSION_ID ->
          sb.append(
              "The client offered both a session ticket and a session id, and the server echoes"
                  + " the id: it resumes an earlier session (an abbreviated handshake, "
                  + ref(v, null, "7.3")
                  + "), but the capture cannot tell by which: a server echoes the id when it"
                  + " accepts the ticket and when it finds the id in its session cache (RFC 5077"
                  + " 3.4). (Clients that hold a ticket, OpenSSL's among them, often make the id up"
                  + " to see this echo.) There is no Certificate and no key exchange.");
      case RESUMED_TICKET ->
          sb.append(
              "The client offered a session ticket and the server echoes its session id: it"
                  + " accepted the ticket (RFC 5077 3.1, 3.4), an abbreviated handshake that reuses"
                  + " the earlier master secret. There is no Certificate and no key exchange.");
      default -> {
        if (c.ticketOffered && c.clientSessionIdEmpty) {
          sb.append(
              "The client offered a session ticket with an empty session id, so only the next"
                  + " server message tells (RFC 5077 3.4): Change Cipher Spec means the ticket was"
                  + " accepted, Certificate a full handshake. (If it is a full handshake:) ");
        } else if (sh.sessionId().length == 0) {
          sb.append("A full handshake. Its session id is empty: the server will not resume this")
              .append(" session by id (")
              .append(ref(v, null, "7.4.1.3"))
              .append(")")
              .append(
                  sh.sessionTicketAck()
                      ? ", only by the session ticket it announces (RFC 5077 3.2)"
                      : "")
              .append(". ");
        } else if (c.offeredSessionId != null && c.offeredSessionId.length > 0) {
          sb.append(
              "A full handshake: the server did not take the session id the client offered and"
                  + " gives a new one. ");
        } else {
          sb.append("A full handshake, with a new session id. ");
        }
        sb.append(keyExchangeSentence(v, sh.cipherSuite()));
      }
    }
    if (c.alpnChosen != null) sb.append(" ALPN (RFC 7301 3.2): ").append(c.alpnChosen).append('.');
    deprecated(sb, v, sh.cipherSuite());
    if (!c.mode.resumed())
      sb.append(
          report(
              m,
              false,
              " (The report says the Server Hello \"sends back the public certificate\": that is"
                  + " the separate Certificate message.)",
              "The report says the Server Hello \"sends back the public certificate\": that is"
                  + " the separate Certificate message."));
    return sb.toString();
  }

  private static String keyExchangeSentence(int v, int suite) {
    KeyExchangeKind k = KeyExchangeKind.of(v, suite, false, false);
    return switch (k) {
      case RSA_TRANSPORT ->
          "Key exchange: RSA key transport ("
              + ref(v, null, "7.4.7.1")
              + "): the client will encrypt the premaster secret with the public key of the"
              + " server's certificate. No forward secrecy: that private key decrypts every"
              + " recorded session.";
      case ECDHE ->
          "Key exchange: ECDHE (RFC 8422): the server will send an ephemeral elliptic-curve key,"
              + " signed with its certificate key, in a Server Key Exchange. Forward secret.";
      case DHE ->
          "Key exchange: DHE ("
              + ref(v, null, "7.4.3")
              + "): the server will send ephemeral Diffie-Hellman parameters, signed, in a Server Key"
              + " Exchange. Forward secret.";
      default ->
          "The lab does not know this suite's key exchange ("
              + CipherSuite.labelOf(suite)
              + "), so it does not describe it.";
    };
  }

  private static void deprecated(StringBuilder sb, int v, int suite) {
    if (v == 0x0301 || v == 0x0302)
      sb.append(
          " "
              + ProtocolVersion.of(v).rfcName()
              + " is deprecated (RFC 8996, 2021): it relies on SHA-1 and MD5 and lacks modern"
              + " cipher suites.");
    CipherSuite cs = CipherSuite.of(suite);
    if (cs.cipher() == CipherSuite.Cipher.RC4_128)
      sb.append(" RC4 is prohibited in every TLS version (RFC 7465): its keystream is biased.");
    else if (cs.cipher() == CipherSuite.Cipher.TDES_CBC)
      sb.append(" 3DES has 64-bit blocks (Sweet32, CVE-2016-2183): deprecated.");
    else if (cs.cipher() == CipherSuite.Cipher.NULL && cs != CipherSuite.UNKNOWN)
      sb.append(" A NULL cipher: the records are not encrypted at all.");
  }

  private String certificate(Msg m) {
    int v = version(m);
    StringBuilder sb = new StringBuilder("Certificate (");
    if (m.fromServer) {
      sb.append(ref(v, "4.4.2", "7.4.2")).append("): the server's certificate chain");
    } else {
      sb.append(ref(v, "4.4.2", "7.4.6"))
          .append(
              "): the client's certificate chain, because the server asked (client"
                  + " authentication)");
    }
    MessageFacts.CertificateMessage cm =
        m.detail instanceof MessageFacts.CertificateMessage x ? x : null;
    Object d = cm == null ? null : cm.certificates();
    int undecoded = cm == null ? 0 : cm.entries() - cm.certificates().size();
    if (d instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof X509Certificate x) {
      sb.append(", leaf first: subject ")
          .append(x.getSubjectX500Principal().getName())
          .append(", issued by ")
          .append(x.getIssuerX500Principal().getName())
          .append(l.size() > 1 ? ", and " + (l.size() - 1) + " more" : "");
    } else if (d instanceof List<?> l && l.isEmpty() && undecoded == 0) {
      sb.append(": empty, the ").append(who(m)).append(" has no certificate to offer");
    }
    if (undecoded > 0)
      sb.append(undecoded == cm.entries() ? ": " : "; ")
          .append(undecoded)
          .append(undecoded == 1 ? " certificate" : " certificates")
          .append(undecoded == 1 ? " in it that does" : " in it that do")
          .append(" not decode as X.509 (see the problem below)");
    sb.append('.');
    if (m.fromServer && (cm == null || cm.entries() > 0))
      sb.append(
          " The client checks it against its trusted roots and the server name; its key is"
              + (m.c.negotiatedVersion == 0x0304
                      || KeyExchangeKind.of(m.c.negotiatedVersion, m.c.cipherSuite, false, false)
                          != KeyExchangeKind.RSA_TRANSPORT
                  ? " used only to sign."
                  : " the one the premaster secret will be encrypted to (RSA key transport)."));
    if (v == 0x0304) sb.append(" In TLS 1.3 it travels encrypted.");
    if (m.fromServer)
      sb.append(
          report(
              m,
              false,
              " (The report says the Server Hello \"sends back the public certificate\": it is"
                  + " this separate message.)",
              "The report says the Server Hello \"sends back the public certificate\": it is"
                  + " this separate Certificate message."));
    return sb.toString();
  }

  private String serverKeyExchange(Msg m) {
    int v = version(m);
    KeyExchangeKind k = KeyExchangeKind.of(m.c.negotiatedVersion, m.c.cipherSuite, false, false);
    String group = m.detail instanceof Integer g && g >= 0 ? " on " + NamedGroup.nameOf(g) : "";
    String what =
        k == KeyExchangeKind.DHE
            ? "Server Key Exchange ("
                + ref(v, null, "7.4.3")
                + "): the server's ephemeral"
                + " Diffie-Hellman parameters (p, g, Ys)"
            : "Server Key Exchange ("
                + ref(v, null, "7.4.3")
                + ", RFC 8422 5.4): the server's"
                + " ephemeral elliptic-curve public key"
                + group;
    return what
        + ", signed with its certificate key. The premaster secret comes from Diffie-Hellman: it"
        + " is never encrypted with the server's public key, and a stolen server key cannot decrypt"
        + " this session later (forward secrecy)."
        + report(
            m,
            false,
            " (The report says the client encrypts the key with the certificate's public"
                + " key: not in this suite.)",
            "The report says the client encrypts the key with the certificate's public key: not"
                + " in this suite; the Server Key Exchange carries an ephemeral key the server"
                + " signs.");
  }

  private String clientKeyExchange(Msg m) {
    int v = version(m);
    KeyExchangeKind k = KeyExchangeKind.of(m.c.negotiatedVersion, m.c.cipherSuite, false, false);
    return switch (k) {
      case RSA_TRANSPORT ->
          "Client Key Exchange ("
              + ref(v, null, "7.4.7.1")
              + "): suite "
              + CipherSuite.labelOf(m.c.cipherSuite)
              + " uses RSA key transport, so this message is the 48-byte premaster secret"
              + " encrypted with the RSA public key of the server's certificate. Anyone who later"
              + " obtains the server's private key can decrypt this recorded session (no forward"
              + " secrecy)."
              + report(
                  m,
                  true,
                  " This is the one case the report describes.",
                  "The report says the client encrypts the key with the certificate's public key:"
                      + " true for this suite (RSA key transport), and so no forward secrecy.");
      case ECDHE ->
          "Client Key Exchange ("
              + ref(v, null, "7.4.7")
              + ", RFC 8422 5.7): the client's ephemeral elliptic-curve public key. Both sides"
              + " combine it with the Server Key Exchange key into the premaster secret; nothing"
              + " here is encrypted with the server's public key."
              + report(
                  m,
                  false,
                  " (Contrary to the report.)",
                  "The report says the client encrypts the key with the certificate's public key:"
                      + " this Client Key Exchange carries an ephemeral public key; nothing is"
                      + " encrypted with the certificate's key.");
      case DHE ->
          "Client Key Exchange ("
              + ref(v, null, "7.4.7.2")
              + "): the client's ephemeral Diffie-Hellman public value (Yc). Both sides combine it"
              + " with the server's parameters into the premaster secret; nothing is encrypted"
              + " with the server's public key."
              + report(
                  m,
                  false,
                  " (Contrary to the report.)",
                  "The report says the client encrypts the key with the certificate's public key:"
                      + " this Client Key Exchange carries an ephemeral public key; nothing is"
                      + " encrypted with the certificate's key.");
      default ->
          m.c.cipherSuite < 0
              ? "Client Key Exchange ("
                  + ref(v, null, "7.4.7")
                  + "): the client's part of the key exchange. No Server Hello was read on this"
                  + " connection, so the suite, and whether this is an RSA-encrypted premaster"
                  + " secret or a Diffie-Hellman public key, is not known."
              : "Client Key Exchange ("
                  + ref(v, null, "7.4.7")
                  + "): the client's part of the key exchange of "
                  + CipherSuite.labelOf(m.c.cipherSuite)
                  + ", a suite the lab does not describe.";
    };
  }

  private String newSessionTicket(Msg m) {
    int v = version(m);
    Long life = m.detail instanceof Long l ? l : null;
    StringBuilder sb = new StringBuilder();
    if (v == 0x0304) {
      sb.append(
          "New Session Ticket (RFC 8446 4.6.1): sent after the handshake, encrypted; the client"
              + " may present it later as a pre-shared key to resume without certificates");
      if (life != null)
        sb.append(
            life == 0
                ? ". ticket_lifetime 0: the client must discard it at once"
                : ". ticket_lifetime " + life + " s (at most 7 days)");
    } else {
      sb.append(
          "New Session Ticket (RFC 5077 3.3): the session state, encrypted by the server with a"
              + " key only it knows; the client presents it in a later Client Hello to resume with"
              + " an abbreviated handshake");
      if (life != null)
        sb.append(
            life == 0
                ? ". ticket_lifetime_hint 0: the lifetime is unspecified"
                : ". ticket_lifetime_hint " + life + " s, a hint to the client");
    }
    sb.append('.');
    sb.append(
        report(
            m,
            false,
            " It is about resumption, not about allowing \"multiple communication within one"
                + " session\" as the report says.",
            "The report says New Session Ticket allows \"multiple communication within one"
                + " session\": it lets the client resume later without a new key exchange."));
    return sb.toString();
  }

  private String encryptedExtensions(Msg m) {
    if (!m.fromServer) {
      return "Encrypted Extensions sent by the client: not part of RFC 8446. Chrome sends one with"
          + " ALPS (application-layer protocol settings, draft-vvv-tls-alps) after the server's"
          + " Finished, to give its HTTP/2 or HTTP/3 settings before its own Finished.";
    }
    String early = "";
    if (m.c.earlyDataAccepted != null)
      early =
          m.c.earlyDataAccepted
              ? " Its early_data extension accepts the client's 0-RTT data (RFC 8446 4.2.10)."
              : " It has no early_data extension: the server refuses the client's 0-RTT data and"
                  + " skips those records (RFC 8446 4.2.10).";
    return "Encrypted Extensions (RFC 8446 4.3.1): the first message under the handshake keys;"
        + " the server's answers to the client's extensions that need no clear text"
        + (m.c.alpnChosen != null ? ", such as ALPN " + m.c.alpnChosen + " (RFC 7301)" : "")
        + "."
        + early;
  }

  private String certificateStatus(Msg m) {
    if (m.detail instanceof CertificateStatus cs) {
      return certificateStatusNote(cs)
          + " It spares the client its own OCSP query and tells the CA nothing about it.";
    }
    return "Certificate Status (RFC 6066 8): a stapled OCSP response (RFC 6960) about the server"
        + " certificate.";
  }

  /** The note for a Certificate Status message, rendered from its value. */
  static String certificateStatusNote(CertificateStatus cs) {
    StringBuilder sb =
        new StringBuilder("Certificate Status (RFC 6066 8): the server staples an OCSP response");
    sb.append(cs.statusType() == 2 ? " (type ocsp_multi, RFC 6961)" : "")
        .append(
            ", the CA responder's signed answer (RFC 6960) about the server certificate, so the")
        .append(" client need not ask the responder itself.");
    if (cs.problem() != null) {
      return sb.append(" It could not be read: ").append(cs.problem()).append('.').toString();
    }
    if (cs.certStatus() == null) {
      return sb.append(" The responder did not answer with a status but with '")
          .append(cs.responseStatus())
          .append("', which vouches for nothing.")
          .toString();
    }
    sb.append(" It says serial ")
        .append(cs.serialHex())
        .append(" is ")
        .append(cs.certStatus().name());
    switch (cs.certStatus()) {
      case REVOKED -> {
        sb.append(" since ").append(cs.revokedAt());
        if (cs.reason() != null) sb.append(" (reason ").append(cs.reason()).append(')');
        sb.append(": a verifying client must refuse this server");
      }
      case UNKNOWN ->
          sb.append(": the responder does not know this certificate, so it vouches for nothing");
      case GOOD -> {}
    }
    sb.append(". Signed by ").append(ocspResponder(cs)).append("; signature ");
    sb.append(ocspSignature(cs));
    sb.append(". thisUpdate ").append(cs.thisUpdate());
    sb.append(cs.nextUpdate() != null ? ", nextUpdate " + cs.nextUpdate() : ", no nextUpdate");
    sb.append(" (produced ").append(cs.producedAt()).append(").");
    return sb.toString();
  }

  /** Who signed an OCSP response: its name, else its key hash. */
  static String ocspResponder(CertificateStatus cs) {
    if (cs.responderName() != null) return cs.responderName();
    return "the responder with key hash " + cs.responderKeyHash();
  }

  /** What the signature check of an OCSP response gave, in words. */
  static String ocspSignature(CertificateStatus cs) {
    return switch (cs.signature()) {
      case VERIFIES -> "verifies";
      case DOES_NOT_VERIFY -> "does NOT verify";
      case SIGNER_NOT_IN_CHAIN ->
          "not checked (the signer's certificate is not in the server's chain)";
      case CHECK_FAILED -> "not checked (this JDK could not run the check)";
    };
  }

  // --- records that are not handshake messages ----------------------------------------------

  private String encryptedHandshake(Msg m) {
    if (m.detail instanceof String malformed) {
      // TlsDissector saw this sender's handshake start and no Change Cipher Spec from it: the
      // label is Wireshark's heuristic (unknown type, or a length of 64 KiB or more), not a fact.
      return "Encrypted Handshake Message is Wireshark's label for a handshake record it cannot"
          + " parse: "
          + malformed
          + ". The "
          + who(m)
          + " has sent no Change Cipher Spec since the connection began, so nothing it sends is"
          + " encrypted yet: this is a malformed handshake message, not an encrypted one.";
    }
    int v = version(m);
    boolean afterCcs = m.fromServer ? m.c.serverCcs : m.c.clientCcs;
    StringBuilder sb =
        new StringBuilder("Encrypted Handshake Message: Wireshark cannot read it without keys.");
    boolean finished = false;
    if (afterCcs) {
      boolean once = once(m, "ehm");
      finished = once;
      if (once) {
        sb.append(" The first one after the ")
            .append(who(m))
            .append("'s Change Cipher Spec is its Finished (")
            .append(ref(v, null, "7.4.9"))
            .append("): a MAC over the whole handshake, the first message under the new keys.");
      } else {
        sb.append(
            " A handshake message after Finished under the session keys: a renegotiation"
                + " (RFC 5746).");
      }
    }
    sb.append(
        report(
            m,
            false,
            " It does not mean \"hashing completed\" or that a chat message was sent, as the"
                + " report suggests.",
            finished
                ? "The report reads \"Encrypted Handshake Message\" as \"the completion of"
                    + " hashing\": it is the Finished message, a MAC over the whole handshake"
                    + " under the new keys."
                : "The report reads \"Encrypted Handshake Message\" as \"the completion of"
                    + " hashing\": it is an encrypted handshake message, not a sign that hashing"
                    + " completed."));
    return sb.toString();
  }

  private String changeCipherSpec(Msg m) {
    Connection c = m.c;
    boolean tls13 = c.negotiatedVersion == 0x0304 || (c.negotiatedVersion < 0 && c.clientOffered13);
    if (tls13) {
      String s =
          "Change Cipher Spec in TLS 1.3 (RFC 8446 5, D.4): a dummy record for middlebox"
              + " compatibility, with no effect on the keys; TLS 1.3 switches keys without it.";
      if (!m.fromServer && c.helloRetry && c.clientHellos == 1)
        s +=
            " After the Hello Retry Request the next client record is its second Client Hello,"
                + " still in the clear.";
      return s;
    }
    int v = version(m);
    return "Change Cipher Spec ("
        + ref(v, null, "7.1")
        + "): from the next record on, the "
        + who(m)
        + "'s records are protected with the newly agreed keys; the next one is its Finished."
        + (m.fromServer && c.mode.resumed()
            ? " In an abbreviated handshake the server sends it first, right after its hello (and"
                + " a renewed ticket, if it issues one)."
            : "");
  }

  /**
   * What a Client Hello's pre_shared_key offers: tickets from earlier sessions, external keys, or
   * both, told by each identity's obfuscated_ticket_age ({@link HandshakeMode#tls13}).
   */
  private static String pskOffer(Connection c) {
    java.util.Set<HandshakeMode> kinds = java.util.EnumSet.noneOf(HandshakeMode.class);
    for (long age : c.pskAges) kinds.add(HandshakeMode.tls13(true, age));
    if (kinds.equals(java.util.Set.of(HandshakeMode.TLS13_PSK)))
      return "it offers to resume a session from an earlier ticket (obfuscated_ticket_age not 0).";
    if (kinds.equals(java.util.Set.of(HandshakeMode.TLS13_EXTERNAL_PSK)))
      return "it offers a key set up outside TLS (an external PSK: obfuscated_ticket_age 0, which"
          + " 4.2.11 asks for such keys), not a ticket from an earlier session.";
    if (kinds.size() == 2)
      return "it offers both tickets from earlier sessions (obfuscated_ticket_age not 0) and keys"
          + " set up outside TLS (age 0).";
    return "it offers a pre-shared key: a ticket from an earlier session or a key set up outside"
        + " TLS (its identities do not parse).";
  }

  /**
   * A Key Update and its request_update field (RFC 8446 4.6.3): 1 asks the peer to update its own
   * sending keys too, which it must do before its next application data; 0 does not. Said as the
   * capture links it ({@link Connection#keyUpdate}): an update_not_requested is called the answer
   * only when it is the sender's first Key Update after the peer's request.
   */
  private String keyUpdate(Msg m) {
    String peer = m.fromServer ? "client" : "server";
    String s =
        "Key Update (RFC 8446 4.6.3): the "
            + who(m)
            + " switches its sending keys to the next generation (the next"
            + " application_traffic_secret, 7.2); its records after this one use them.";
    if (!(m.detail instanceof KeyUpdate ku)) return s;
    String answers =
        ku.answersFrame() >= 0
            ? " It is the "
                + who(m)
                + "'s first Key Update after the "
                + peer
                + "'s update_requested in frame "
                + ku.answersFrame()
                + ", so it answers that request."
            : "";
    return switch (ku.requestUpdate()) {
      case 1 ->
          s
              + answers
              + " update_requested: it asks the "
              + peer
              + " to update its own sending keys too; the "
              + peer
              + " must answer with a Key Update of its own (update_not_requested) before its next"
              + " application data. The connection's summary says whether one came.";
      case 0 ->
          s
              + (ku.answersFrame() >= 0
                  ? answers + " update_not_requested: it does not ask the " + peer + " to follow."
                  : " update_not_requested: it does not ask the "
                      + peer
                      + " to follow, and it answers no request: no update_requested from the "
                      + peer
                      + " was read before it.");
      case -1 -> s + " It is empty: a Key Update holds one request_update byte (RFC 8446 4.6.3).";
      default ->
          s
              + answers
              + " Its request_update value "
              + ku.requestUpdate()
              + " is neither 0 nor 1 (RFC 8446 4.6.3).";
    };
  }

  /** Who can decrypt a psk_ke handshake (RFC 8446 4.2.9): whoever holds its pre-shared key. */
  static String pskSecret(HandshakeMode mode) {
    return mode == HandshakeMode.TLS13_PSK
        ? "the pre-shared key (from the earlier session's resumption secret, or the server's key"
            + " that seals its tickets)"
        : "the pre-shared key";
  }

  private String alert(Msg m) {
    int[] d = m.detail instanceof int[] x ? x : null;
    if (d == null) return m.label + ".";
    int v = version(m);
    AlertDescription a = AlertDescription.of(d[1]);
    boolean fatal = d[0] == 2;
    String meaning =
        switch (a) {
          case CLOSE_NOTIFY ->
              "the sender will send no more data: a clean end of the connection, not an error";
          case HANDSHAKE_FAILURE -> "no acceptable set of security parameters (suites, groups)";
          case PROTOCOL_VERSION ->
              "the sender does not accept the version offered or chosen (TLS 1.0 and 1.1 are"
                  + " refused by modern peers, RFC 8996)";
          case BAD_CERTIFICATE -> "a certificate was corrupt or its signature did not verify";
          case UNKNOWN_CA -> "the certificate chain does not lead to a trusted root";
          case CERTIFICATE_UNKNOWN -> "the certificate was refused for some other reason";
          case CERTIFICATE_EXPIRED -> "a certificate has expired or is not yet valid";
          case CERTIFICATE_REVOKED -> "a certificate was revoked by its issuer";
          case DECRYPT_ERROR -> "a signature or the Finished MAC did not verify";
          case BAD_RECORD_MAC -> "a record failed authentication (wrong keys or tampering)";
          case UNEXPECTED_MESSAGE -> "a message arrived out of order";
          case ILLEGAL_PARAMETER -> "a field held a value out of range";
          case DECODE_ERROR -> "a message could not be parsed";
          case INSUFFICIENT_SECURITY -> "the sender requires stronger suites than offered";
          case INAPPROPRIATE_FALLBACK -> "a downgrade attempt was caught (RFC 7507)";
          case UNRECOGNIZED_NAME -> "the server does not serve the name in SNI (RFC 6066 3)";
          case NO_APPLICATION_PROTOCOL -> "no ALPN protocol in common (RFC 7301 3.2)";
          case CERTIFICATE_REQUIRED -> "the server required a client certificate (RFC 8446 6.2)";
          case MISSING_EXTENSION -> "a required extension was missing (RFC 8446 6.2)";
          case USER_CANCELED -> userCanceled(m.c, v);
          case INTERNAL_ERROR -> "an error in the sender unrelated to the peer";
          case ACCESS_DENIED -> "a valid certificate, but access was refused";
          case NO_RENEGOTIATION -> "the sender refuses to renegotiate";
          default -> a.rfcName();
        };
    // RFC 8446 puts user_canceled with close_notify among the closure alerts (6.1); RFC 5246 lists
    // it among the error alerts (7.2.2).
    boolean closure = a == AlertDescription.CLOSE_NOTIFY || a == AlertDescription.USER_CANCELED;
    String after = "";
    if (a == AlertDescription.CLOSE_NOTIFY) {
      TlsAlert canceled = null;
      for (TlsAlert x : m.c.alertList)
        if (x.sender() == (m.fromServer ? Sender.SERVER : Sender.CLIENT)
            && x.description() == AlertDescription.USER_CANCELED.code()) canceled = x;
      if (canceled != null)
        after =
            " It follows the "
                + who(m)
                + "'s user_canceled (frame "
                + canceled.frame()
                + "), as "
                + ref(v, "6.1", "7.2.2")
                + " asks.";
    }
    return m.label
        + " ("
        + ref(v, closure ? "6.1" : "6.2", a == AlertDescription.CLOSE_NOTIFY ? "7.2.1" : "7.2.2")
        + "): "
        + meaning
        + (fatal ? ". Fatal: the connection ends here." : ".")
        + after;
  }

  /**
   * user_canceled (RFC 8446 6.1, RFC 5246 7.2.2): the sender cancels the handshake for a reason
   * that is no protocol failure, and should follow it with close_notify; after a complete handshake
   * it cancels nothing, and both RFCs call close_notify alone more appropriate there.
   */
  private static String userCanceled(Connection c, int v) {
    String s =
        "the sender cancels the handshake for a reason that is not a protocol failure; a"
            + " close_notify should follow it";
    if (ConnectionFacts.handshakeFinished(c))
      s +=
          ". Here the handshake is already complete, so there is nothing left to cancel: "
              + ref(v, "6.1", "7.2.2")
              + " says that after the handshake close_notify alone is more appropriate";
    return s;
  }

  private String applicationData(Msg m) {
    Connection c = m.c;
    String hint = m.detail instanceof String s ? s : null;
    if (!m.fromServer && c.earlyDataOffered && c.clientOffered13 && c.negotiatedVersion < 0) {
      if (!once(m, "early-data")) return "";
      return "Early data (0-RTT, RFC 8446 2.3, 4.2.10): application data the client sends right"
          + " behind its Client Hello, before any answer, encrypted with keys from"
          + " client_early_traffic_secret (7.1), which comes from the pre-shared key alone: no"
          + " forward secrecy for these bytes, and an attacker can replay them (RFC 8446 8)."
          + " Without client_early_traffic_secret in a key log, Wireshark shows them as Application"
          + " Data. (Said once per connection.)";
    }
    if ("tls13-server-handshake".equals(hint)) {
      if (!once(m, "tls13-server-flight")) return "";
      return "Application Data in name only: in TLS 1.3 every record after the Server Hello is"
          + " encrypted and typed application_data (RFC 8446 5.2). The server's first encrypted"
          + " records carry Encrypted Extensions, "
          + (c.mode.psk()
              ? "and Finished: no Certificate, since the handshake uses a pre-shared key (RFC 8446"
                  + " 2.2)."
              : "Certificate, Certificate Verify and Finished (RFC 8446 2), and a Certificate"
                  + " Request after Encrypted Extensions if the server asks for a client"
                  + " certificate (4.3.2).")
          + " A key log (--keylog) shows them.";
    }
    if ("tls13-client-finished".equals(hint)) {
      if (c.earlyDataOffered)
        return "Application Data in name only: the client's first encrypted record after the"
            + " Server Hello. It offered early data (0-RTT), so without keys this cannot be told"
            + " apart: more early data or its End Of Early Data (RFC 8446 4.5, still under the"
            + " early keys) if the server accepted the early data, else the start of its handshake"
            + " flight ending in Finished (4.4.4).";
      return "Application Data in name only: the client's encrypted TLS 1.3 handshake flight"
          + " starts here: its Finished (RFC 8446 4.4.4), preceded by Certificate and Certificate"
          + " Verify (4.4.2, 4.4.3) if the server asked for a certificate. These may share one"
          + " record or take one record each (hidden without keys).";
    }
    if ("tls13-other".equals(hint)) {
      if (!once(m, "tls13-appdata")) return "";
      return "Application Data: an encrypted TLS 1.3 record; its real type is inside the"
          + " encryption (RFC 8446 5.2): application bytes, an alert such as close_notify (6.1),"
          + " or a handshake message: the rest of the sender's handshake flight when it follows"
          + " it closely, later a New Session Ticket (4.6.1), a Key Update (4.6.3) or a"
          + " post-handshake Certificate Request (4.6.2)."
          + (m.report ? " Here: chat lines." : "")
          + " (Said once per connection and sender.)";
    }
    String falseStart = "";
    if (!m.fromServer
        && c.negotiatedVersion >= 0x0301
        && c.negotiatedVersion <= 0x0303
        && !c.serverCcs
        && once(m, "false-start"))
      falseStart =
          " False Start (RFC 7918): the client sends data before the server's Finished, to save a"
              + " round trip.";
    if (!once(m, "appdata")) return falseStart.strip();
    int v = version(m);
    return "Application Data ("
        + ref(v, "5.2", "6.2.3")
        + "): the application's bytes, encrypted and authenticated with the session keys; only"
        + " keys reveal them."
        + (m.report ? " Here: chat lines." : "")
        + " (Said once per connection and sender.)"
        + falseStart;
  }

  private String other(Msg m) {
    if ("Ignored Unknown Record".equals(m.label) || "Continuation Data".equals(m.label)) {
      return m.label
          + ": bytes that do not start a TLS record here, usually because an earlier segment was"
          + " not captured, so the record boundaries were lost.";
    }
    if ("Client Hello".equals(m.label) && !m.fromServer)
      return "Client Hello in SSL 2.0's record format (RFC 5246 E.2): a backward-compatible hello"
          + " that an SSL 2.0 server could read too, and that offers TLS versions inside; the"
          + " server's answer shows which protocol it picked. SSL 2.0 itself is prohibited since"
          + " 2011 (RFC 6176).";
    if (m.label.startsWith("Client Master Key")
        || "SSLv2".equals(m.label)
        || m.c.version == 0x0002) {
      return m.label + ": SSL 2.0, prohibited since 2011 (RFC 6176).";
    }
    return m.label + ".";
  }

  // --- helpers ------------------------------------------------------------------------------

  /** "a", "a and b", "a, b and c". */
  private static String join(List<String> items) {
    if (items.size() <= 1) return String.join("", items);
    return String.join(", ", items.subList(0, items.size() - 1))
        + " and "
        + items.get(items.size() - 1);
  }

  /** True the first time {@code key} is said on this connection by this sender. */
  private static boolean once(Msg m, String key) {
    return m.c.said.add(key + (m.fromServer ? "/s" : "/c"));
  }

  /** The version that decides which RFC applies: negotiated, else what the client offered. */
  private static int version(Msg m) {
    Connection c = m.c;
    if (c.negotiatedVersion >= 0) return c.negotiatedVersion;
    if (c.clientOffered13) return 0x0304;
    return c.clientHelloVersion;
  }

  private static String who(Msg m) {
    return m.fromServer ? "server" : "client";
  }

  /**
   * "RFC 8446 4.4.4" for TLS 1.3, else the TLS 1.0-1.2 RFC with the same section number in all
   * three (RFC 2246, 4346 and 5246 share their layout).
   */
  static String ref(int v, String s13, String s12) {
    if (v == 0x0304 && s13 != null) return "RFC 8446 " + s13;
    String rfc =
        switch (v) {
          case 0x0301 -> "RFC 2246";
          case 0x0302 -> "RFC 4346";
          case 0x0300 -> "RFC 6101";
          default -> "RFC 5246";
        };
    if (v == 0x0300) return rfc;
    return s12 == null ? rfc : rfc + " " + s12;
  }
}
