package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.pcap.TcpPacket;
import tlslab.wire.CipherSuite;
import tlslab.wire.NamedGroup;
import tlslab.wire.ProtocolVersion;

/**
 * What one TLS connection amounted to: version, cipher suite, key exchange and whether it is
 * forward secret, certificates, full or resumed handshake, tickets, alerts, decryption status.
 *
 * @param index connection number (1-based, order of first frame)
 * @param client client address:port
 * @param server server address:port
 * @param lines human-readable facts, one per line
 */
public record ConnectionSummary(int index, String client, String server, List<String> lines) {

  static ConnectionSummary of(Connection c, KeyMaterial keys) {
    boolean aIsServer = c.server == 'A';
    String a = endpoint(c.addrA, c.portA, c.ipVersion);
    String b = endpoint(c.addrB, c.portB, c.ipVersion);
    List<String> l = new ArrayList<>();
    int v = c.negotiatedVersion;
    l.add(
        "version: " + (v < 0 ? "unknown (no Server Hello seen)" : ProtocolVersion.of(v).rfcName()));
    if (c.serverName != null) l.add("server name (SNI): " + c.serverName);
    if (c.cipherSuite >= 0) {
      CipherSuite cs = CipherSuite.of(c.cipherSuite);
      l.add("cipher suite: " + CipherSuite.labelOf(c.cipherSuite));
      String kx;
      boolean fs;
      if (v == 0x0304) {
        kx =
            "(EC)DHE"
                + (c.keyExchangeGroup >= 0 ? " " + NamedGroup.labelOf(c.keyExchangeGroup) : "")
                + (c.pskAccepted ? " with a resumption PSK" : "");
        fs = true;
      } else if (cs.keyExchange() == CipherSuite.KeyExchange.RSA) {
        kx = "RSA (premaster secret encrypted with the server's certificate key)";
        fs = false;
      } else if (cs == CipherSuite.UNKNOWN) {
        kx = c.sawServerKeyExchange ? "ephemeral (Server Key Exchange seen)" : "unknown";
        fs = c.sawServerKeyExchange;
      } else {
        kx =
            cs.keyExchange()
                + (c.keyExchangeGroup >= 0 ? " " + NamedGroup.labelOf(c.keyExchangeGroup) : "");
        fs = cs.keyExchange().forwardSecret();
      }
      l.add(
          "key exchange: "
              + kx
              + (fs
                  ? " - forward secret"
                  : " - NOT forward secret: the"
                      + " server's private key decrypts every recorded session"));
    }
    for (String cert : c.certificates) l.add("certificate " + cert);
    if (v == 0x0304 && c.certificates.isEmpty()) {
      l.add("certificates: encrypted in TLS 1.3 (visible only with a key log)");
    }
    if (c.sawClientCertificate) l.add("client authentication: the client sent a certificate");
    if (c.helloRetry) l.add("Hello Retry Request: the server asked for another key share");
    if (v >= 0)
      l.add(
          "handshake: " + (c.resumed ? "resumed (abbreviated, no certificate exchange)" : "full"));
    if (c.ticketsIssued > 0) {
      l.add(
          "session tickets issued: "
              + c.ticketsIssued
              + (c.ticketLifetime >= 0 ? " (lifetime " + c.ticketLifetime + " s)" : ""));
    } else if (v >= 0 && v != 0x0304) {
      l.add("session tickets issued: none visible");
    }
    if (c.alerts.isEmpty()) l.add("alerts: none");
    for (String al : c.alerts) l.add("alert: " + al);
    for (String p : c.problems) l.add("problem: " + p);
    if (c.decryption != null) {
      if (c.decryption.decryptedRecords > 0) {
        l.add("decryption: " + c.decryption.decryptedRecords + " records decrypted");
      } else if (c.decryption.status != null) {
        l.add("decryption: not possible - " + c.decryption.status);
      } else {
        l.add("decryption: no keys matched this session");
      }
    }
    return new ConnectionSummary(c.index, aIsServer ? b : a, aIsServer ? a : b, List.copyOf(l));
  }

  private static String endpoint(byte[] addr, int port, int ipVersion) {
    String s = TcpPacket.address(addr, ipVersion);
    return ipVersion == 6 ? "[" + s + "]:" + port : s + ":" + port;
  }
}
