package tlslab.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.common.LabException;
import tlslab.net.ChatServer;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench handshakes}: full TLS handshakes per second, measured by {@code openssl s_time
 * -new} (a new session for every connection, no resumption) against the lab's chat server and
 * against {@code openssl s_server} with the same certificate and key, alternating in the same run
 * (best of two each), and their ratio.
 *
 * <p>What to expect: the handshake is dominated by the server's private-key operation and key
 * exchange. JSSE does both in Java (RSA-PSS 2048 sign about 2 ms, X25519 key generation plus
 * agreement about 0.7 ms on the lab machine), OpenSSL in assembly (0.24 ms and 0.06 ms), so the lab
 * server reaches a fraction of {@code s_server}'s rate; {@code lab bench chat} shows where the
 * event loops do well.
 */
public final class HandshakeBench {
  private static final Pattern REAL = Pattern.compile("(\\d+) connections in (\\d+) real seconds");
  private static final Pattern USER = Pattern.compile("(\\d+) connections in ([0-9.]+)s;");

  private HandshakeBench() {}

  /** Runs both measurements for {@code seconds} each and returns the report. */
  public static String run(TlsProfile profile, int seconds, int loops) {
    return run(profile, seconds, loops, tlslab.pki.KeyType.RSA_2048);
  }

  /**
   * As {@link #run(TlsProfile, int, int)}, with both servers using a certificate of key type {@code
   * key} (an EC key makes the server's signature much cheaper for JSSE and OpenSSL alike).
   */
  public static String run(TlsProfile profile, int seconds, int loops, tlslab.pki.KeyType key) {
    if (seconds < 1) {
      throw LabException.badInput("--time must be >= 1 second");
    }
    JsseSetup.prepare(profile == TlsProfile.REPORT, false);
    if (profile == TlsProfile.REPORT
        && key != tlslab.pki.KeyType.RSA_2048
        && key != tlslab.pki.KeyType.RSA_3072) {
      throw LabException.badInput("profile report (TLS_RSA) needs an RSA key");
    }
    Path certs = ChatBench.tempCerts(key);
    StringBuilder report = new StringBuilder();
    Process sServer = null;
    try (ChatServer lab =
        ChatServer.builder()
            .context(TlsContexts.server(certs))
            .port(0)
            .profile(profile)
            .loops(loops)
            .build()
            .start()) {
      int port = freePort();
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "openssl",
                  "s_server",
                  "-accept",
                  String.valueOf(port),
                  "-cert",
                  certs.resolve("server.pem").toString(),
                  "-key",
                  certs.resolve("server.key").toString(),
                  "-quiet",
                  "-naccept",
                  "1000000000"));
      cmd.addAll(protocolArgs(profile));
      sServer =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      awaitListening(port);
      report.append(
          String.format(
              "handshake bench: openssl s_time -new -time %d, profile %s (%s),"
                  + " %s server key%n",
              seconds, profile, String.join(" ", protocolArgs(profile)), key.label()));
      sTime(lab.port(), profile, 3); // warm up the JIT before measuring
      // Alternate, twice each, and keep each side's best: the machine may be shared, and
      // alternating exposes both servers to the same background load.
      double lab1 = sTime(lab.port(), profile, seconds);
      double ssl1 = sTime(port, profile, seconds);
      double lab2 = sTime(lab.port(), profile, seconds);
      double ssl2 = sTime(port, profile, seconds);
      double labRate = Math.max(lab1, lab2);
      double sslRate = Math.max(ssl1, ssl2);
      report.append(
          String.format(
              "  lab server:       %8.1f handshakes/s (runs: %.1f, %.1f; %s)%n",
              labRate,
              lab1,
              lab2,
              System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));
      report.append(
          String.format(
              "  openssl s_server: %8.1f handshakes/s (runs: %.1f, %.1f)%n", sslRate, ssl1, ssl2));
      report.append(
          String.format("  ratio lab/openssl: %.2fx (goal >= 1.0x)%n", labRate / sslRate));
    } catch (IOException e) {
      throw LabException.environment("cannot run openssl: " + e.getMessage());
    } finally {
      if (sServer != null) {
        sServer.destroy();
      }
      ChatBench.deleteTree(certs);
    }
    return report.toString();
  }

  private static List<String> protocolArgs(TlsProfile profile) {
    switch (profile) {
      case MODERN:
        return List.of(
            "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
      case REPORT:
        return List.of("-tls1_2", "-cipher", "AES128-SHA");
      case TLS13:
        return List.of("-tls1_3");
      default:
        throw new AssertionError(profile);
    }
  }

  /** Runs s_time and returns full handshakes per wall-clock second. */
  private static double sTime(int port, TlsProfile profile, int seconds) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_time",
                "-connect",
                "127.0.0.1:" + port,
                "-new",
                "-time",
                String.valueOf(seconds)));
    cmd.addAll(protocolArgs(profile));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor(seconds + 30L, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Matcher real = REAL.matcher(out);
    if (!real.find()) {
      throw LabException.failed("openssl s_time printed no result: " + out.strip());
    }
    long n = Long.parseLong(real.group(1));
    long secs = Long.parseLong(real.group(2));
    // s_time's "real seconds" is rounded to whole seconds: use its own -time when they agree.
    return n / (double) Math.max(seconds, secs);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitListening(int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw LabException.environment("openssl s_server did not start listening on port " + port);
  }
}
