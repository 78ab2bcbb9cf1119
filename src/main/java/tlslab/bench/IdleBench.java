package tlslab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tlslab.common.LabException;
import tlslab.net.ChatServer;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;

/**
 * {@code lab bench idle}: how much server heap an idle TLS chat connection costs. The server runs
 * here; a child JVM ({@link IdleClients}) opens N connections with non-blocking clients and
 * completes every handshake; then this process collects garbage and compares its heap with the heap
 * before. Clients in another process keep their memory out of the figure.
 *
 * <p>The driver holds no buffer while a connection is idle (see {@code BufferPool}), so what
 * remains is JSSE's engine and session, the socket, and the chat's member record. Measured on the
 * lab machine: about 17 KiB per connection on JDK 17, about 5 KiB on JDK 25. The difference is
 * JSSE's: with TLS 1.2 session tickets on, JDK 17 gives every session its own decoded copy of the
 * server's certificate chain (two certificates, some 8 KiB), JDK 25 shares one.
 */
public final class IdleBench {
  private IdleBench() {}

  /** Runs the benchmark and returns the report. */
  public static String run(int connections, TlsProfile profile, int loops) {
    if (connections < 1) {
      throw LabException.badInput("--connections must be >= 1");
    }
    JsseSetup.prepare(profile == TlsProfile.REPORT, false);
    Path certs = ChatBench.tempCerts();
    Process child = null;
    StringBuilder report = new StringBuilder();
    try (ChatServer server =
        ChatServer.builder()
            .context(TlsContexts.server(certs))
            .port(0)
            .profile(profile)
            .loops(loops)
            .handshakeTimeout(Duration.ofSeconds(120))
            .build()
            .start()) {
      long before = usedHeapAfterGc();
      String java = ProcessHandle.current().info().command().orElse("java");
      child =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xss256k",
                      "-cp",
                      System.getProperty("java.class.path"),
                      IdleClients.class.getName(),
                      String.valueOf(server.port()),
                      String.valueOf(connections),
                      certs.resolve("ca.pem").toString(),
                      profile.label()))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      long t0 = System.nanoTime();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("ready")) {
        if (line.startsWith("failed")) {
          throw LabException.failed("idle clients: " + line);
        }
      }
      if (line == null) {
        throw LabException.failed("idle clients exited before all connections were up");
      }
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (server.memberCount() < connections && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(1000); // let tickets and welcome lines drain
      long after = usedHeapAfterGc();
      int held = server.connectionCount();
      report.append(
          String.format(
              "idle bench: %d TLS connections (profile %s) from a child JVM,"
                  + " %d server loop(s)%n",
              connections, profile, Runtime.getRuntime().availableProcessors()));
      report.append(
          String.format(
              "  connected and handshaken in %.1f s; held open by the server: %d%n",
              connectSecs, held));
      report.append(
          String.format(
              "  server heap after GC: %.1f MiB before, %.1f MiB with the" + " connections%n",
              before / 1048576.0, after / 1048576.0));
      report.append(
          String.format(
              "  heap per idle connection: %.1f KiB (goal <= 20 KiB)%n",
              (after - before) / 1024.0 / connections));
      child.getOutputStream().close();
      child.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw LabException.environment("cannot run the client JVM: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      ChatBench.deleteTree(certs);
    }
    return report.toString();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
