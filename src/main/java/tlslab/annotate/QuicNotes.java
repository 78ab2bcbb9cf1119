package tlslab.annotate;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;
import tlslab.quic.HelloExtensions;
import tlslab.quic.PacketType;
import tlslab.quic.QuicVersion;
import tlslab.quic.RetryIntegrity;
import tlslab.wire.CipherSuite;
import tlslab.wire.HandshakeType;
import tlslab.wire.NamedGroup;

/**
 * The notes for QUIC rows: what differs from TLS over TCP. Each is chosen from the packet and the
 * connection in front of the student (who sent it, which packet type, what the message carried),
 * and cites RFC 9000 (transport), RFC 9001 (TLS in QUIC), RFC 9369 (v2) or RFC 8446 (TLS 1.3).
 */
final class QuicNotes {
  private QuicNotes() {}

  static String initial(QuicVersion v) {
    return "QUIC "
        + (v == QuicVersion.V2 ? "v2 (RFC 9369)" : "version " + v.label())
        + " Initial packet from the client. It was opened here with no key log: Initial keys come"
        + " from the client's Destination Connection ID and a salt published in "
        + (v == QuicVersion.V2 ? "RFC 9369 section 3.3.1" : "RFC 9001 section 5.2")
        + ", so anyone who sees the packet can read it. That protection only keeps out attackers"
        + " who cannot see the packets; an on-path attacker can forge Initials, but not usefully:"
        + " the TLS Finished messages authenticate every handshake message and the transport"
        + " parameters, so a changed Client Hello or Server Hello makes the handshake fail."
        + " There is no TLS record layer here (RFC 9001 section 4): the handshake messages ride in"
        + " CRYPTO frames at stream offsets, with no record headers and no Change Cipher Spec"
        + " (RFC 9001 section 8.4).";
  }

  static String coalesced(List<String> types) {
    return "This UDP datagram holds "
        + types.size()
        + " QUIC packets, coalesced (RFC 9000 section 12.2): "
        + String.join(", ", types)
        + ". tshark's Info column shows the last one only, and so does this row.";
  }

  static String serverInitial() {
    return "The server's Initial packet, opened with the server-side Initial keys derived from"
        + " the same client Destination Connection ID (RFC 9001 section 5.2). Its Server Hello's"
        + " key share gives both sides the handshake secret that protects the Handshake packets.";
  }

  static String initialUnopened(QuicVersion v) {
    if (!v.known()) {
      return "Initial packet of a QUIC version whose Initial salt this tool does not know: its"
          + " header is readable (RFC 8999 invariants), its payload is not.";
    }
    return "This Initial packet did not open with the keys from the connection's first"
        + " Destination Connection ID (RFC 9001 section 5.2): a packet damaged, forged, or of a"
        + " connection whose first Initial was not captured.";
  }

  static String handshakeNoKeys(boolean haveKeyLog) {
    return "Handshake packet (RFC 9000 section 17.2.4): protected with keys from the TLS handshake"
        + " secret, which needs the (EC)DHE private key, so an observer cannot open it. It carries"
        + " the rest of the TLS 1.3 handshake (Encrypted Extensions, Certificate and Certificate"
        + " Verify unless the session is resumed, Finished)."
        + (haveKeyLog
            ? " The key log has no handshake secrets for this connection."
            : " A key log with CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET lines opens it.");
  }

  static String protectedShort(boolean haveKeyLog) {
    return "1-RTT packet (short header, RFC 9000 section 17.3): only the Destination Connection ID"
        + " is in clear. Header protection (RFC 9001 section 5.4) masks the packet number and the"
        + " key phase bit with bytes computed from the ciphertext, so without keys not even the"
        + " packet number can be read; tshark calls it \"Protected Payload\"."
        + (haveKeyLog
            ? " The key log has no application secrets for this connection."
            : " A key log with CLIENT_/SERVER_TRAFFIC_SECRET_0 lines opens it.");
  }

  static String notDecrypted() {
    return "1-RTT packet whose header protection came off with the key log's header key (key"
        + " phase and packet number above), but whose payload did not decrypt: the AEAD tag"
        + " failed. Either the packet is damaged, or the datagram holds more than one short-header"
        + " packet: a short header has no length field, so everything to the end of the datagram"
        + " is taken as one packet (as when a sender's UDP segmentation offload is captured before"
        + " the kernel splits it). tshark shows it the same way.";
  }

  static String zeroRtt() {
    return "0-RTT packet (RFC 9001 section 4.6): early data sent with keys from an earlier"
        + " session before this handshake completes. It has no protection against replay: anyone"
        + " who captured it can send it again, so a server must only act on requests that are safe"
        + " to repeat (RFC 8446 section 8).";
  }

  static String retry(RetryIntegrity.Check check, int tokenLength, QuicVersion v) {
    String rfc = v == QuicVersion.V2 ? "RFC 9369 section 3.3.3" : "RFC 9001 section 5.8";
    String tag =
        switch (check) {
          case VALID ->
              " Its Retry Integrity Tag ("
                  + rfc
                  + ") was checked here and is valid: it is computed with a key published in the"
                  + " RFC over the client's original Destination Connection ID, so it proves only"
                  + " that the sender saw the client's Initial - it stops off-path attackers, not"
                  + " on-path ones.";
          case INVALID ->
              " Its Retry Integrity Tag ("
                  + rfc
                  + ") does NOT verify against the client's original Destination Connection ID:"
                  + " a client discards such a Retry (RFC 9000 section 17.2.5.2).";
          case UNKNOWN_VERSION ->
              " Its Retry Integrity Tag was not checked: this tool knows the Retry key of QUIC"
                  + " v1 and v2 only.";
        };
    return "Retry (RFC 9000 section 17.2.5): the server asks the client to prove its address by"
        + " sending its Initial again with the "
        + tokenLength
        + "-byte token in this packet. The client's next Initial goes to the server's new"
        + " connection ID (this packet's Source Connection ID), so the Initial keys change."
        + tag;
  }

  static String keyUpdate(boolean fromServer, int keyPhase, QuicVersion v) {
    return "Key update (RFC 9001 section 6): this packet from the "
        + (fromServer ? "server" : "client")
        + " opened only with the next generation of 1-RTT keys, derived from the current"
        + " application secret with the label \""
        + (v == QuicVersion.V2 ? "quicv2 ku" : "quic ku")
        + "\"; its Key Phase bit is now "
        + keyPhase
        + ". The header protection key stays the same. TLS 1.3 over TCP does this with a"
        + " KeyUpdate message (RFC 8446 section 4.6.3); QUIC flips a bit instead.";
  }

  static String versionNegotiation(int[] versions) {
    return "Version Negotiation (RFC 9000 section 17.2.1): the server does not speak the"
        + " client's version and lists those it does: "
        + versions(versions)
        + ". The packet is not protected at all.";
  }

  static String versions(int[] versions) {
    StringBuilder sb = new StringBuilder();
    for (int v : versions) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(String.format("0x%08x", v));
    }
    return sb.toString();
  }

  static String connectionClose(int type, long code) {
    String s =
        "CONNECTION_CLOSE (RFC 9000 section 19.19), "
            + (type == 0x1c ? "transport" : "application")
            + String.format(" error code 0x%x", code);
    if (type == 0x1c && (code >> 8) == 1) {
      s +=
          String.format(
              ": a TLS alert (%d). QUIC sends TLS alerts this way, not as alert records"
                  + " (RFC 9001 section 4.8).",
              code & 0xff);
    } else {
      s += ".";
    }
    return s;
  }

  static String message(
      HandshakeType ht, boolean fromServer, PacketType t, QuicConnection c, HelloExtensions ext) {
    String where = " in CRYPTO frames of " + article(t) + " " + t.label() + " packet";
    Connection tls = c.tls;
    switch (ht) {
      case CLIENT_HELLO -> {
        StringBuilder sb = new StringBuilder("Client Hello (RFC 8446 section 4.1.2)" + where);
        sb.append(", reassembled in stream order. ");
        sb.append(
            tls.serverName != null
                ? "Server name (SNI): " + tls.serverName + ", readable by anyone on the path."
                : "No server name (SNI).");
        if (ext != null) {
          if (!ext.alpn().isEmpty()) {
            sb.append(" ALPN offered: ").append(String.join(", ", ext.alpn()));
            if (ext.alpn().contains("h3")) sb.append(" (h3 is HTTP/3, RFC 9114)");
            sb.append('.');
          }
          if (!ext.transportParameters().isEmpty()) {
            sb.append(" quic_transport_parameters (RFC 9001 section 8.2) carries ")
                .append(ext.transportParameters().size())
                .append(" transport parameters (")
                .append(
                    ext.transportParameters().stream()
                        .limit(4)
                        .map(HelloExtensions.TransportParameter::name)
                        .collect(Collectors.joining(", ")))
                .append(ext.transportParameters().size() > 4 ? ", ..." : "")
                .append("); inside the handshake they are authenticated.");
          } else {
            sb.append(" It has no quic_transport_parameters, which QUIC requires.");
          }
        }
        return sb.toString();
      }
      case SERVER_HELLO -> {
        String suite = tls.cipherSuite >= 0 ? CipherSuite.of(tls.cipherSuite).label() : "?";
        String group =
            tls.keyExchangeGroup >= 0
                ? ", key share " + NamedGroup.nameOf(tls.keyExchangeGroup)
                : "";
        return "Server Hello (RFC 8446 section 4.1.3)"
            + where
            + ": "
            + suite
            + group
            + (tls.pskAccepted ? ", resuming with a pre-shared key" : "")
            + ". From here on the handshake travels in Handshake packets.";
      }
      case ENCRYPTED_EXTENSIONS -> {
        String alpn = c.alpnChosen.isEmpty() ? "no ALPN" : "ALPN " + c.alpnChosen.get(0);
        return "Encrypted Extensions (RFC 8446 section 4.3.1)"
            + where
            + ": "
            + alpn
            + (ext != null && !ext.transportParameters().isEmpty()
                ? ", and the server's " + ext.transportParameters().size() + " transport parameters"
                : "")
            + ".";
      }
      case CERTIFICATE -> {
        List<X509Certificate> chain = fromServer ? tls.serverChain : tls.clientChain;
        String who = fromServer ? "server" : "client";
        if (chain.isEmpty()) {
          return "Certificate (RFC 8446 section 4.4.2) from the " + who + where + ": empty.";
        }
        return "Certificate (RFC 8446 section 4.4.2) from the "
            + who
            + where
            + ": "
            + chain.get(0).getSubjectX500Principal().getName()
            + (chain.size() > 1 ? " and " + (chain.size() - 1) + " more" : "")
            + ". Over TCP in TLS 1.3 it is encrypted too; here a key log opened it.";
      }
      case CERTIFICATE_VERIFY -> {
        return "Certificate Verify (RFC 8446 section 4.4.3) from the "
            + (fromServer ? "server" : "client")
            + where
            + ": a signature over the handshake so far, proving the private key of the"
            + " certificate.";
      }
      case FINISHED -> {
        return "Finished (RFC 8446 section 4.4.4) from the "
            + (fromServer ? "server" : "client")
            + where
            + ": a MAC over the whole handshake, including what the Initial packets carried.";
      }
      case NEW_SESSION_TICKET -> {
        return "New Session Ticket (RFC 8446 section 4.6.1)"
            + where
            + ": a ticket for resuming a later connection.";
      }
      default -> {
        return ht.label() + where + ".";
      }
    }
  }

  private static String article(PacketType t) {
    return t == PacketType.INITIAL ? "an" : "a";
  }
}
