package tlslab.mitm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tlslab.net.ChatClient;
import tlslab.net.ChatServer;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsContexts;
import tlslab.tls.TlsProfile;
import tlslab.trace.HandshakeInspector;
import tlslab.trace.TraceEvent;

/** Certificates, the real server, clients and external peers for the mitm tests. */
final class MitmFixtures {
  /** The student's certificates (the real server's) and the attacker's (another lab CA). */
  record Certs(Path real, Path evil) {}

  private MitmFixtures() {}

  static Certs certs(Path dir) {
    Path real = dir.resolve("certs");
    Path evil = dir.resolve("evil");
    LabCertificates.init(InitOptions.builder().dir(real).build());
    LabCertificates.init(
        InitOptions.builder()
            .dir(evil)
            .commonName("evil.example")
            .sans(List.of("evil.example"))
            .build());
    return new Certs(real, evil);
  }

  static ChatServer server(Path certs, TlsProfile profile, HandshakeObserver observer) {
    return ChatServer.builder()
        .context(TlsContexts.server(certs))
        .bind("127.0.0.1")
        .port(0)
        .profile(profile)
        .clientAuth(ClientAuth.NONE)
        .observers(e -> observer)
        .log(l -> {})
        .build()
        .start();
  }

  /** A chat client whose received lines are collected. */
  static final class Client implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    ChatClient chat;

    String await(Predicate<String> p) {
      return awaitIn(lines, p, "client line");
    }

    @Override
    public void close() {
      if (chat != null) {
        chat.close();
      }
    }
  }

  static ChatClient.Builder clientBuilder(
      int port, Path caOrNull, TlsProfile profile, Client into, HandshakeObserver observer) {
    boolean insecure = caOrNull == null;
    return ChatClient.builder()
        .host("localhost")
        .port(port)
        .context(TlsContexts.client(caOrNull, null, insecure))
        .insecure(insecure)
        .profile(profile)
        .onLine(into.lines::add)
        .observers(e -> observer)
        .handshakeTimeout(Duration.ofSeconds(10));
  }

  /** A handshake inspector collecting JSSE's trace events. */
  static final class Trace implements AutoCloseable {
    final List<TraceEvent> events = new CopyOnWriteArrayList<>();
    final HandshakeInspector inspector = HandshakeInspector.builder().trace(events::add).build();

    HandshakeObserver observer() {
      return inspector.observer();
    }

    /** Waits for an event matching {@code p}. */
    TraceEvent await(Predicate<TraceEvent> p) {
      return awaitIn(events, p, "trace event");
    }

    @Override
    public void close() {
      inspector.close();
    }
  }

  static MitmLog.Entry awaitEntry(MitmLog log, Predicate<MitmLog.Entry> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (MitmLog.Entry e : log.entries()) {
        if (p.test(e)) {
          return e;
        }
      }
      pause();
    }
    throw new AssertionError("no matching mitm log entry within 15 s: " + log.entries());
  }

  static <T> T awaitIn(List<T> items, Predicate<T> p, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      for (T t : items) {
        if (p.test(t)) {
          return t;
        }
      }
      pause();
    }
    throw new AssertionError("no matching " + what + " within 15 s: " + items);
  }

  private static void pause() {
    try {
      Thread.sleep(20); // polling a condition, bounded by the deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** An external program (openssl, python3), its output collected; killed on close. */
  static final class Peer implements AutoCloseable {
    final Process process;
    final Path output;

    Peer(Path workDir, Path output, String input, List<String> command) {
      this.output = output;
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        process = pb.start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
      } catch (IOException e) {
        throw new AssertionError("cannot start " + command + ": " + e.getMessage(), e);
      }
    }

    static Peer run(Path workDir, String input, String... command) {
      try {
        Path out = Files.createTempFile(workDir, "peer-", ".out");
        return new Peer(workDir, out, input, List.of(command));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Waits for the exit (at most 20 s) and returns the output. */
    String awaitOutput() {
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("peer did not exit within 20 s: " + text());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return text();
    }

    String text() {
      try {
        return Files.readString(output);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      process.destroy();
    }
  }

  static List<String> kinds(MitmLog log) {
    List<String> out = new ArrayList<>();
    log.entries().forEach(e -> out.add(e.kind()));
    return out;
  }
}
