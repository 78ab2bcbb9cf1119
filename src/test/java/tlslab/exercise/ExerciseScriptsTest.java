package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.Checkers;

/**
 * Each exercise's command blocks, run as written, in order, by bash, with {@code ./lab} a launcher
 * of this build: real JVMs, real background jobs stopped with {@code kill %N}, real captures (as
 * root), openssl and tshark. The test plays the student: it types one line at a time, waits for a
 * background job's first line as the text says, substitutes YOURNAME, writes the answers from what
 * the commands printed, and then the exercise's check must pass. The other substitutions: the ports
 * (the exercises use the lab's default 8443 and lab trace's 8444, which on a shared test machine
 * another program may hold, so the test gives server, client, capture and tshark a free port
 * instead), and the server's warm-up budget, 1 second instead of the default 10: the warm-up still
 * runs (its own server on its own port, before "listening on"), but the JIT it prepares for has
 * nothing to do with what the exercises check, its full length has a test of its own (WarmUpTest),
 * and on a busy machine it takes all 10 seconds, four times per run.
 */
@Tag("jdk")
class ExerciseScriptsTest {
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final String NAME = "José";
  private static final int PORT = freePort();
  private static final int TRACE_PORT = freePort();

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The line with YOURNAME and the port replaced (see the class comment). */
  static String asTyped(String line) {
    String p = String.valueOf(PORT);
    return line.replace("YOURNAME", NAME)
        .replace("--port 8443", "--port " + p)
        .replace("--port 8444", "--port " + TRACE_PORT)
        .replace("tcp.port==8443", "tcp.port==" + p)
        .replace("./lab server ", "./lab server --port " + p + " --warm-up 1 ")
        .replace("./lab client ", "./lab client --port " + p + " ");
  }

  @TempDir static Path room;
  static Shell shell;

  @BeforeAll
  static void launcher() throws IOException {
    String cp =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path lab = room.resolve("lab");
    // What ./lab runs, minus the build step; C1 only and a small heap: each command is short.
    Files.writeString(
        lab,
        "#!/bin/sh\nexec '"
            + java
            + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"
            + " --add-opens java.base/sun.security.ssl=ALL-UNNAMED --enable-native-access=ALL-UNNAMED"
            + " -Dlab.home='"
            + REPO
            + "' -cp '"
            + cp
            + "' tlslab.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(lab, PosixFilePermissions.fromString("rwxr-xr-x"));
    shell = new Shell(room);
  }

  @AfterAll
  static void close() {
    if (shell != null) {
      shell.close();
    }
  }

  /** The ```sh blocks of an exercise's markdown, line by line. */
  static List<String> commands(int n) throws IOException {
    Path md;
    try (var files = Files.list(REPO.resolve("exercises"))) {
      md =
          files
              .filter(f -> f.getFileName().toString().startsWith(String.format("%02d-", n)))
              .findFirst()
              .orElseThrow();
    }
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)```sh\n(.*?)```").matcher(Files.readString(md));
    while (m.find()) {
      for (String line : m.group(1).split("\n")) {
        if (!line.isBlank()) {
          out.add(asTyped(line));
        }
      }
    }
    return out;
  }

  /** Runs exercise N's blocks; returns everything they printed. */
  static String run(int n) throws IOException {
    StringBuilder all = new StringBuilder();
    for (String line : commands(n)) {
      all.append(shell.type(line));
    }
    return all.toString();
  }

  static Report check(int n) {
    return Checkers.forExercise(n)
        .orElseThrow()
        .check(new Workspace(room.resolve("work"), Optional.empty()));
  }

  static void assertPasses(int n) {
    Report r = check(n);
    assertThat(r.passed()).as("exercise %d: %s", n, r.items()).isTrue();
  }

  /** The first printed line that starts with {@code prefix} (after spaces). */
  static String line(String printed, String prefix) {
    return printed
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + printed));
  }

  @Test
  void everyExercisesBlocksRunAsWrittenPassTheirCheck() throws IOException {
    Path work = room.resolve("work");

    String one = run(1);
    assertThat(one).contains("FAIL").contains("example.com"); // the verify meant to fail
    Evidence.write(
        work.resolve("answers/01.txt"),
        "fingerprint: "
            + line(one, "SHA-256:")
            + "\nkey: "
            + line(one, "key:").substring(4)
            + "\nissuer: "
            + line(one, "issuer:").substring(7)
            + "\nsans: "
            + line(one, "SANs:").substring(5)
            + "\n");
    assertPasses(1);

    run(2);
    assertPasses(2);

    String three = run(3);
    assertThat(three).contains("Client Hello");
    Path pcap = work.resolve("captures/02.pcap");
    var info = Evidence.tsharkInfo(pcap, Evidence.serverPort(Evidence.facts(pcap)));
    Evidence.write(
        work.resolve("answers/03.txt"),
        String.join(
                "\n",
                // The exercise's tshark line printed the Client Hello random.
                "client-random: "
                    + three
                        .lines()
                        .map(String::strip)
                        .filter(l -> l.matches("[0-9a-f]{64}"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(three)),
                "client-hello: " + Evidence.tsharkFirst(info, "Client Hello"),
                "server-hello: " + Evidence.tsharkFirst(info, "Server Hello"),
                "client-key-exchange: " + Evidence.tsharkFirst(info, "Client Key Exchange"),
                "new-session-ticket: " + Evidence.tsharkFirst(info, "New Session Ticket"),
                "first-application-data: " + Evidence.tsharkFirst(info, "Application Data"))
            + "\n");
    assertPasses(3);

    String four = run(4);
    // The two tshark lines print the Server Hello randoms, report capture first.
    List<String> randoms =
        four.lines().map(String::strip).filter(l -> l.matches("[0-9a-f]{64}")).toList();
    assertThat(randoms).as(four).hasSize(2);
    var modern = Evidence.facts(work.resolve("captures/04-modern.pcap"));
    Evidence.write(
        work.resolve("answers/04.txt"),
        "report-suite: TLS_RSA_WITH_AES_128_CBC_SHA\nreport-key-exchange: RSA\n"
            + "report-server-random: "
            + randoms.get(0)
            + "\nmodern-suite: "
            + modern.cipherSuiteName()
            + "\nmodern-key-exchange: ECDHE\nmodern-group: "
            + tlslab.wire.NamedGroup.labelOf(modern.keyExchangeGroup())
            + "\nmodern-server-random: "
            + randoms.get(1).substring(0, 8)
            + "\n");
    assertPasses(4);

    String five = run(5);
    Evidence.write(
        work.resolve("answers/05.txt"),
        "decrypted-line: "
            + five.lines()
                .map(String::strip)
                .filter(l -> l.startsWith("| * you are ") && l.contains(" from "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(five))
            // The openssl line printed the pre-master secret: 96 hex digits, 0303 first.
            + "\npremaster-secret: "
            + five.lines()
                .map(String::strip)
                .filter(l -> l.matches("0303[0-9a-f]{92}"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(five))
            + "\nwhy-modern-fails: the session keys come from an ephemeral ECDHE secret\n");
    assertPasses(5);

    run(7);
    Evidence.write(work.resolve("answers/07.txt"), ResumptionCheckTest.ANSWERS);
    assertPasses(7);

    run(9);
    assertPasses(9);

    String ten = run(10);
    assertThat(ten).contains("line too long");
    Evidence.write(work.resolve("answers/10.txt"), FramingCheckTest.rightAnswers(work));
    assertPasses(10);
  }

  /**
   * One bash, fed a line at a time as a student types: after each line it prints a marker, and for
   * a line ending in {@code &} the test waits for the job's first line (the capture's banner, the
   * server's "listening on") before typing on.
   */
  static final class Shell implements AutoCloseable {
    private final Process bash;
    private final OutputStream in;
    private final StringBuilder out = new StringBuilder();
    private int seen;
    private int n;

    Shell(Path dir) throws IOException {
      bash =
          new ProcessBuilder("bash", "--norc", "-s")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      in = bash.getOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try (InputStream o = bash.getInputStream()) {
                  byte[] buf = new byte[8192];
                  for (int k; (k = o.read(buf)) > 0; ) {
                    synchronized (out) {
                      out.append(new String(buf, 0, k, StandardCharsets.UTF_8));
                      out.notifyAll();
                    }
                  }
                } catch (IOException e) {
                  // the shell ended
                }
              },
              "bash-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** Types {@code line}; returns what was printed from then until it was done (or ready). */
    String type(String line) throws IOException {
      boolean background = line.strip().endsWith("&");
      String marker = "__typed_" + (++n) + "__";
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      if (!background) {
        in.write(("echo " + marker + " $?\n").getBytes(StandardCharsets.UTF_8));
      }
      in.flush();
      String ready = line.contains("lab capture") ? "capturing on" : "listening on";
      return await(background ? ready : marker, line);
    }

    private String await(String text, String line) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      synchronized (out) {
        while (out.indexOf(text, seen) < 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || !bash.isAlive()) {
            try {
              Files.writeString(Path.of("target", "exercise-scripts.log"), out);
            } catch (IOException e) {
              // the message below still says what was missing
            }
            throw new AssertionError(
                "no '" + text + "' after typing: " + line + "\n" + out.substring(seen));
          }
          try {
            out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        }
        int end = out.indexOf(text, seen) + text.length();
        String printed = out.substring(seen, end);
        seen = end;
        return printed;
      }
    }

    @Override
    public void close() {
      bash.descendants().forEach(ProcessHandle::destroy);
      try {
        in.write("kill $(jobs -p) 2>/dev/null; wait; exit\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        bash.waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        // already gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Whatever a failed run left behind (a server, a capture) must not outlive the test.
      bash.descendants().forEach(ProcessHandle::destroyForcibly);
      bash.destroyForcibly();
    }
  }
}
