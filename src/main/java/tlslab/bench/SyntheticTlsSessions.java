package tlslab.bench;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import tlslab.net.InMemoryTls;
import tlslab.tls.HandshakeObserver;

/**
 * Real TLS byte streams for the benchmark: JSSE client and server engines run a full handshake and
 * a chat exchange in memory (no sockets), and every wrapped chunk is recorded with its direction.
 * The bytes are genuine TLS 1.2 and TLS 1.3, so annotating them does the same work as annotating a
 * loopback capture.
 */
final class SyntheticTlsSessions {
  /** One flight: bytes sent by the client (true) or the server. */
  record Chunk(boolean fromClient, byte[] bytes) {}

  private final SSLContext server;
  private final SSLContext client;

  SyntheticTlsSessions() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair kp = g.generateKeyPair();
      X500Name name = new X500Name("CN=bench.tlslab.local");
      long now = System.currentTimeMillis();
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          name,
                          BigInteger.valueOf(now),
                          new Date(now - 60_000),
                          new Date(now + 86_400_000L),
                          name,
                          kp.getPublic())
                      .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
      char[] pw = "bench".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", kp.getPrivate(), pw, new X509Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, pw);
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("server", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ts);
      server = SSLContext.getInstance("TLS");
      server.init(kmf.getKeyManagers(), null, new SecureRandom());
      client = SSLContext.getInstance("TLS");
      client.init(null, tmf.getTrustManagers(), new SecureRandom());
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up JSSE for the benchmark: " + e, e);
    }
  }

  /** Runs one session with the given protocol ("TLSv1.2"/"TLSv1.3") and chat messages. */
  List<Chunk> session(String protocol, List<byte[]> clientLines, List<byte[]> serverLines) {
    SSLEngine c = client.createSSLEngine("bench.tlslab.local", 443);
    c.setUseClientMode(true);
    c.setEnabledProtocols(new String[] {protocol});
    SSLEngine s = server.createSSLEngine();
    s.setUseClientMode(false);
    s.setEnabledProtocols(new String[] {protocol});
    // The lab's own driver, over in-memory channels: every write becomes one chunk.
    InMemoryTls tls = new InMemoryTls(c, s, HandshakeObserver.NONE, HandshakeObserver.NONE, true);
    tls.handshake();
    for (int i = 0; i < Math.max(clientLines.size(), serverLines.size()); i++) {
      if (i < clientLines.size()) {
        tls.send(true, clientLines.get(i));
      }
      if (i < serverLines.size()) {
        tls.send(false, serverLines.get(i));
      }
    }
    tls.close();
    List<Chunk> out = new ArrayList<>();
    for (InMemoryTls.Chunk k : tls.chunks()) {
      out.add(new Chunk(k.fromClient(), k.bytes()));
    }
    return out;
  }
}
