package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;
import tlslab.wire.CipherSuite;
import tlslab.wire.ClientHello;
import tlslab.wire.NamedGroup;
import tlslab.wire.ProtocolVersion;
import tlslab.wire.ServerHello;

/**
 * Plain-language notes for each TLS message, true to RFC 5246 (TLS 1.2) and RFC 8446 (TLS 1.3).
 * Where the student report (reference/report.txt) reads a message wrongly, the note says so and
 * why: the lab exists to correct exactly those readings.
 */
final class Explanations {

  String explain(String label, Object detail) {
    switch (label) {
      case "Client Hello":
        return clientHello((ClientHello) detail);
      case "Server Hello":
        return serverHello((ServerHello) detail);
      case "Hello Retry Request":
        return "Hello Retry Request (RFC 8446 4.1.4): the server supports none of the key shares the"
            + " client sent and names the group to retry with; the client sends a second Client Hello.";
      case "Certificate":
        return certificate("the server", detail)
            + " The report says the Server Hello \"sends back the public certificate\": it is this"
            + " separate Certificate message.";
      case "Certificate (client)":
        return certificate("the client (client authentication was requested)", detail);
      case "Server Key Exchange":
        return "Server Key Exchange (RFC 5246 7.4.3, RFC 8422 5.4): the server's ephemeral"
            + " (EC)DHE public key"
            + group(detail)
            + ", signed with its certificate key. Its presence"
            + " means the premaster secret comes from Diffie-Hellman: it is NOT encrypted with the"
            + " server's public key, as the report claims, and a stolen server key cannot decrypt"
            + " this session later (forward secrecy).";
      case "Certificate Request":
        return "Certificate Request (RFC 5246 7.4.4): the server asks the client for a certificate"
            + " (mutual TLS).";
      case "Server Hello Done":
        return "Server Hello Done (RFC 5246 7.4.5): the server's first flight is complete; a full"
            + " (not resumed) handshake.";
      case "Client Key Exchange":
        if (detail instanceof CipherSuite cs && cs.keyExchange() == CipherSuite.KeyExchange.RSA) {
          return "Client Key Exchange (RFC 5246 7.4.7.1): suite "
              + cs.rfcName()
              + " uses RSA key"
              + " transport: this message IS the 48-byte premaster secret encrypted with the server's"
              + " RSA public key - the one case the report describes. Anyone who later obtains the"
              + " server's private key can decrypt this recorded session (no forward secrecy).";
        }
        return "Client Key Exchange (RFC 5246 7.4.7.2, RFC 8422 5.7): the client's ephemeral (EC)DH"
            + " public key. Both sides combine it with the Server Key Exchange key into the premaster"
            + " secret; nothing here is encrypted with the server's public key, contrary to the report.";
      case "Certificate Status":
        return detail instanceof CertificateStatus cs
            ? cs.explain()
            : "Certificate Status (RFC 6066 8): a stapled OCSP response about the server"
                + " certificate.";
      case "Certificate Verify":
        return "Certificate Verify (RFC 5246 7.4.8 / RFC 8446 4.4.3): a signature over the handshake"
            + " so far, proving possession of the certificate's private key.";
      case "Change Cipher Spec":
        return "Change Cipher Spec (RFC 5246 7.1): from the next record on, this sender encrypts"
            + " with the new keys. In TLS 1.3 it is a dummy for middlebox compatibility (RFC 8446"
            + " D.4).";
      case "Encrypted Handshake Message":
        return "Encrypted Handshake Message: Wireshark cannot read it without keys. Right after"
            + " Change Cipher Spec this is the Finished message (RFC 5246 7.4.9): a MAC over the"
            + " whole handshake, the first message under the new keys. It does not mean \"hashing"
            + " completed\" or that a chat message was sent, as the report suggests.";
      case "Finished":
        return "Finished (RFC 5246 7.4.9 / RFC 8446 4.4.4): verify_data over the whole handshake;"
            + " proves both sides saw the same messages and derived the same keys. Without keys"
            + " Wireshark shows it as \"Encrypted Handshake Message\".";
      case "New Session Ticket":
        return "New Session Ticket (RFC 5077 / RFC 8446 4.6.1): an encrypted session state the"
            + " client may present later to resume without a full handshake"
            + lifetime(detail)
            + ". It is about resumption, not about allowing \"multiple communication within one"
            + " session\" as the report says.";
      case "Application Data":
        if ("tls13-server-handshake".equals(detail)) {
          return "Application Data in name only: in TLS 1.3 everything after the Server Hello is"
              + " encrypted and disguised as application data (RFC 8446 5.2). The server's first"
              + " encrypted records carry Encrypted Extensions, Certificate, Certificate Verify and"
              + " Finished (RFC 8446 2); a key log (--keylog) shows them.";
        }
        if ("tls13-client-finished".equals(detail)) {
          return "Application Data in name only: the client's first encrypted TLS 1.3 record is"
              + " its Finished message (plus its certificate with client authentication), RFC 8446 2.";
        }
        if ("tls13-other".equals(detail)) {
          return "Application Data: an encrypted TLS 1.3 record. Its real type is inside the"
              + " encryption (RFC 8446 5.2): application bytes (chat lines), a post-handshake New"
              + " Session Ticket (RFC 8446 4.6.1) or, at the end, a close_notify alert.";
        }
        return "Application Data: an encrypted record (RFC 5246 6.2.3) carrying the application's"
            + " bytes (here: chat lines), protected by the session keys; only keys reveal them.";
      case "Encrypted Alert":
        return "Encrypted Alert: an alert sent under the session keys; at the end of a session it"
            + " is almost always close_notify (RFC 5246 7.2.1), a clean shutdown, not an error.";
      case "Encrypted Extensions":
        return "Encrypted Extensions (RFC 8446 4.3.1): the server's remaining extensions, the first"
            + " encrypted handshake message in TLS 1.3.";
      case "Ignored Unknown Record":
      case "Continuation Data":
        return label
            + ": bytes that do not start a TLS record here, usually because an earlier"
            + " segment was not captured, so Wireshark lost the record boundaries.";
      default:
        if (label.contains("Close Notify")) {
          return label
              + ": close_notify (RFC 5246 7.2.1 / RFC 8446 6.1): the sender will send no"
              + " more data; a clean end of the session, not an error.";
        }
        if (label.startsWith("Alert")) {
          return label
              + " (RFC 5246 7.2 / RFC 8446 6): "
              + (label.contains("Fatal")
                  ? "a fatal alert: the connection ends and the session cannot be resumed."
                  : "a warning-level alert.");
        }
        return label + ".";
    }
  }

  private static String clientHello(ClientHello ch) {
    if (ch == null) return "Client Hello (could not be parsed).";
    StringBuilder sb = new StringBuilder("Client Hello (RFC 5246 7.4.1.2): the client offers ");
    sb.append(ch.cipherSuites().length).append(" cipher suites");
    if (ch.supportedVersions().length > 0) {
      sb.append(" and versions");
      for (int v : ch.supportedVersions()) {
        if ((v & 0x0f0f) == 0x0a0a) continue; // GREASE
        sb.append(' ').append(ProtocolVersion.of(v).rfcName());
      }
    }
    if (ch.serverName() != null) sb.append(", for server name ").append(ch.serverName());
    sb.append(
        ", with its 32-byte random. The random is a nonce mixed into the key derivation; it"
            + " does not itself \"generate the AES key\" as the report says.");
    sb.append(" The record says ")
        .append(ProtocolVersion.labelOf(ch.version() == 0x0303 ? 0x0301 : ch.version()))
        .append(" for compatibility; the negotiated version comes from the Server Hello.");
    return sb.toString();
  }

  private static String serverHello(ServerHello sh) {
    if (sh == null) return "Server Hello (could not be parsed).";
    CipherSuite cs = CipherSuite.of(sh.cipherSuite());
    StringBuilder sb = new StringBuilder("Server Hello (RFC 5246 7.4.1.3): the server picks ");
    sb.append(ProtocolVersion.of(sh.version()).rfcName())
        .append(" and ")
        .append(CipherSuite.labelOf(sh.cipherSuite()))
        .append(". ");
    switch (cs.keyExchange()) {
      case RSA ->
          sb.append(
              "Key exchange RSA: the client will encrypt the premaster secret with the"
                  + " server's public key; no forward secrecy.");
      case NULL -> sb.append("Unknown key exchange.");
      default ->
          sb.append("Key exchange ")
              .append(cs.keyExchange())
              .append(": ephemeral Diffie-Hellman, forward secret.");
    }
    sb.append(" It does not carry the certificate; that is the Certificate message.");
    return sb.toString();
  }

  private static String certificate(String who, Object detail) {
    StringBuilder sb = new StringBuilder("Certificate (RFC 5246 7.4.2): the chain of ").append(who);
    if (detail instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof X509Certificate x) {
      sb.append("; leaf subject ")
          .append(x.getSubjectX500Principal().getName())
          .append(", issuer ")
          .append(x.getIssuerX500Principal().getName());
    }
    return sb.append('.').toString();
  }

  private static String group(Object detail) {
    return detail instanceof Integer g && g >= 0 ? " on " + NamedGroup.labelOf(g) : "";
  }

  private static String lifetime(Object detail) {
    return detail instanceof Long l ? " (lifetime hint " + l + " s)" : "";
  }
}
