package tlslab.bench;

import java.math.BigInteger;
import java.nio.ByteBuffer;
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
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

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
    List<Chunk> out = new ArrayList<>();
    try {
      c.beginHandshake();
      s.beginHandshake();
      pump(c, s, out, List.of(), List.of());
      pump(c, s, out, clientLines, serverLines);
      c.closeOutbound();
      pump(c, s, out, List.of(), List.of());
      s.closeOutbound();
      pump(c, s, out, List.of(), List.of());
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException("benchmark TLS session failed: " + e, e);
    }
    return out;
  }

  private static void pump(
      SSLEngine c, SSLEngine s, List<Chunk> out, List<byte[]> cl, List<byte[]> sl)
      throws javax.net.ssl.SSLException {
    int ci = 0;
    int si = 0;
    ByteBuffer app = ByteBuffer.allocate(1 << 17);
    ByteBuffer toServer = ByteBuffer.allocate(1 << 18);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 18);
    for (int round = 0; round < 400; round++) {
      boolean progress = false;
      byte[] cline = ci < cl.size() && ready(c) ? cl.get(ci) : null;
      if (step(c, s, true, out, cline, app, toServer)) progress = true;
      if (cline != null) ci++;
      byte[] sline = si < sl.size() && si < ci && ready(s) ? sl.get(si) : null;
      if (step(s, c, false, out, sline, app, toClient)) progress = true;
      if (sline != null) si++;
      if (!progress && ci >= cl.size() && si >= sl.size()) return;
    }
  }

  private static boolean ready(SSLEngine e) {
    return e.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
  }

  /**
   * Wraps whatever {@code from} wants to send (plus {@code line}) and unwraps as much as {@code to}
   * accepts; bytes it cannot take yet stay in {@code pending} for the next round.
   */
  private static boolean step(
      SSLEngine from,
      SSLEngine to,
      boolean fromClient,
      List<Chunk> out,
      byte[] line,
      ByteBuffer app,
      ByteBuffer pending)
      throws javax.net.ssl.SSLException {
    runTasks(from);
    ByteBuffer net = ByteBuffer.allocate(1 << 18);
    ByteBuffer src = line != null ? ByteBuffer.wrap(line) : ByteBuffer.allocate(0);
    for (int i = 0; i < 16; i++) {
      SSLEngineResult r = from.wrap(src, net);
      runTasks(from);
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) break;
      if (r.bytesProduced() == 0 && !src.hasRemaining()) break;
    }
    net.flip();
    boolean produced = net.hasRemaining();
    if (produced) {
      byte[] bytes = new byte[net.remaining()];
      net.get(bytes);
      out.add(new Chunk(fromClient, bytes));
      pending.put(bytes);
    }
    pending.flip();
    for (int i = 0; i < 64 && pending.hasRemaining(); i++) {
      app.clear();
      SSLEngineResult r = to.unwrap(pending, app);
      runTasks(to);
      if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) break;
    }
    pending.compact();
    return produced;
  }

  private static void runTasks(SSLEngine e) {
    Runnable t;
    while ((t = e.getDelegatedTask()) != null) t.run();
  }
}
