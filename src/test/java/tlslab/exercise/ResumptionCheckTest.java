package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.exercise.Evidence.check;
import static tlslab.exercise.Evidence.failed;
import static tlslab.exercise.Evidence.failures;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.exercise.checks.ResumptionCheck;

/** Exercise 7 on a JSON trace written by {@code lab trace --resume --trace-json}. */
@Tag("jdk") // the trace comes from JSSE's debug records
class ResumptionCheckTest {
  static final String ANSWERS =
      "missing-in-resumed: Certificate, Server Key Exchange, Server Hello Done,"
          + " ClientKeyExchange\n";
  static StudentWork work;
  @TempDir Path tmp;

  @BeforeAll
  static void evidence() {
    work = StudentWork.get();
  }

  private Path withAnswers(String text) {
    Path w = work.copy(work.mine, tmp.resolve("work"));
    Evidence.write(w.resolve("answers/07.txt"), text);
    return w;
  }

  @Test
  void aResumedTraceAndTheRightMessagesPass() {
    Report r = check(new ResumptionCheck(), withAnswers(ANSWERS));
    assertThat(r.passed()).as("%s", r.items()).isTrue();
    // with "the handshake in 07.pcap verifies (...)" and "07.pcap holds only that run's ..."
    assertThat(r.items()).hasSize(10);
    assertThat(r.items())
        .anyMatch(
            i -> i.requirement().startsWith("the trace describes handshakes in your capture"));
    assertThat(
            check(
                    new ResumptionCheck(),
                    withAnswers("missing-in-resumed: certificate, key exchange\n"))
                .passed())
        .isTrue();
  }

  /**
   * The capture is scoped to the run: {@code lab trace --port P} recorded by {@code lab capture
   * --port P} holds that run alone while another program talks on loopback, and passes; the same
   * run recorded as all of lo's TCP (what exercise 7 once said) holds the other program's traffic
   * too, and fails, saying to capture the run's port.
   */
  @Test
  void aCaptureHoldsTheRunsPortOnlyOtherLoopbackTrafficFails() throws Exception {
    Path w = withAnswers(ANSWERS);
    Path scoped = tmp.resolve("scoped.pcap");
    Path all = tmp.resolve("all.pcap");
    int port = StudentWork.freePort();
    java.nio.file.Files.delete(w.resolve("traces/07.jsonl"));
    try (Noise noise = new Noise()) {
      StudentWork.captureFiltered(
          all,
          "tcp",
          () ->
              StudentWork.capture(
                  scoped,
                  port,
                  () -> {
                    noise.awaitExchanged(noise.exchanged() + 3);
                    String err =
                        StudentWork.lab(
                            "trace",
                            "--certs",
                            w.resolve("certs").toString(),
                            "--port",
                            String.valueOf(port),
                            "--resume",
                            "--trace-json",
                            w.resolve("traces/07.jsonl").toString());
                    assertThat(w.resolve("traces/07.jsonl")).as("lab trace: %s", err).exists();
                    noise.awaitExchanged(noise.exchanged() + 3);
                  }));
    }
    Evidence.copyCapture(scoped, w.resolve("captures/07.pcap"));
    Report honest = check(new ResumptionCheck(), w);
    assertThat(honest.passed()).as("%s", honest.items()).isTrue();
    assertThat(honest.items())
        .anyMatch(
            i ->
                i.ok()
                    && i.requirement()
                        .equals("07.pcap holds only that run's connections (port " + port + ")"));

    Evidence.copyCapture(all, w.resolve("captures/07.pcap"));
    Report wide = check(new ResumptionCheck(), w);
    assertThat(failures(wide)).hasSize(1);
    assertThat(failed(wide, "07.pcap holds only that run's connections").hint())
        .contains("frames are other traffic", "lab capture --iface lo --port 8444");
  }

  /** Another program on loopback: a plain TCP echo, one short message every few milliseconds. */
  private static final class Noise implements AutoCloseable {
    private final java.net.ServerSocket server =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    private final java.util.concurrent.atomic.AtomicInteger exchanged =
        new java.util.concurrent.atomic.AtomicInteger();
    private final Thread echo;
    private final Thread talk;
    private volatile boolean running = true;

    Noise() throws java.io.IOException {
      echo =
          new Thread(
              () -> {
                try (java.net.Socket s = server.accept()) {
                  s.getInputStream().transferTo(s.getOutputStream());
                } catch (java.io.IOException e) {
                  // closed at the end of the test
                }
              },
              "noise-echo");
      talk =
          new Thread(
              () -> {
                try (java.net.Socket s =
                    new java.net.Socket(
                        java.net.InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                  byte[] ping =
                      "other program's data\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                  byte[] back = new byte[ping.length];
                  while (running) {
                    s.getOutputStream().write(ping);
                    s.getInputStream().readNBytes(back, 0, back.length);
                    exchanged.incrementAndGet();
                    Thread.sleep(5);
                  }
                } catch (java.io.IOException e) {
                  // closed at the end of the test
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "noise-talk");
      echo.setDaemon(true);
      talk.setDaemon(true);
      echo.start();
      talk.start();
    }

    int exchanged() {
      return exchanged.get();
    }

    /** Waits until {@code n} messages went back and forth (the noise really flowed). */
    void awaitExchanged(int n) {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (exchanged.get() < n) {
        assertThat(System.nanoTime()).as("the other program's traffic flows").isLessThan(deadline);
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    @Override
    public void close() throws Exception {
      running = false;
      server.close();
      talk.join(5_000);
      echo.join(5_000);
    }
  }

  @Test
  void aFriendsTraceFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(work.friend.resolve("traces/07.jsonl"), w.resolve("traces/07.jsonl"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failures(r)).hasSize(2);
    assertThat(failed(r, "the trace was made with your certificates").hint())
        .startsWith("this trace was not made with your certificates: run lab trace --certs")
        .contains("--resume");
    assertThat(failed(r, "the trace describes handshakes in your capture").hint())
        .contains("a trace counts only with the capture of the same run");
  }

  @Test
  void aFriendsTraceWithTheFriendsCaptureFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(work.friend.resolve("traces/07.jsonl"), w.resolve("traces/07.jsonl"));
    Evidence.copyCapture(work.friend.resolve("captures/07.pcap"), w.resolve("captures/07.pcap"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "the trace describes handshakes in your capture").hint())
        .contains("another server certificate");
  }

  @Test
  void aHandWrittenTraceWithMyFingerprintFails() {
    // The forger's 7 lines: the right messages, the right fingerprint, invented randoms.
    Path w = withAnswers(ANSWERS);
    String fp =
        tlslab.pki.CertificateSummary.sha256Fingerprint(
            tlslab.pki.CertificateFile.read(w.resolve("certs/server.pem"), "changeit").leaf());
    String r1 = "11".repeat(32);
    String r2 = "22".repeat(32);
    Evidence.write(
        w.resolve("traces/07.jsonl"),
        String.join(
                "\n",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Client Hello\",\"random\":\""
                    + r1
                    + "\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Certificate\",\"certificate_sha256\":[\""
                    + fp
                    + "\"]}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"New Session Ticket\"}",
                "{\"side\":\"client\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"server\",\"connection\":1,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"client\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Client Hello\",\"random\":\""
                    + r2
                    + "\"}",
                "{\"side\":\"client\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Finished\"}",
                "{\"side\":\"server\",\"connection\":2,\"direction\":\"produced\",\"message\":\"Finished\"}")
            + "\n");
    Report r = check(new ResumptionCheck(), w);
    assertThat(failures(r))
        .extracting(Report.Item::requirement)
        .contains("the trace describes handshakes in your capture 07.pcap");
    assertThat(failed(r, "the trace describes").hint())
        .contains("are not those of any connection in");
  }

  @Test
  void aTraceWithoutResumptionFails() {
    Path w = withAnswers(ANSWERS);
    Evidence.copy(w.resolve("traces/06.jsonl"), w.resolve("traces/07.jsonl"));
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "a later handshake resumes").hint()).contains("--resume");
  }

  @Test
  void namingAMessageTheResumedHandshakeHasFails() {
    Report r =
        check(
            new ResumptionCheck(),
            withAnswers("missing-in-resumed: Certificate, Client Key Exchange, Finished\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("does contain [Finished]");
  }

  @Test
  void forgettingTheKeyExchangeFails() {
    Report r = check(new ResumptionCheck(), withAnswers("missing-in-resumed: Certificate\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("pre-master secret");
  }

  @Test
  void somethingThatIsNoMessageFails() {
    Report r = check(new ResumptionCheck(), withAnswers("missing-in-resumed: Certificate, RSA\n"));
    assertThat(failed(r, "missing-in-resumed").hint()).contains("not message names: [rsa]");
  }

  @Test
  void aMissingTraceSaysHowToMakeIt() {
    Path w = withAnswers(ANSWERS);
    w.resolve("traces/07.jsonl").toFile().delete();
    Report r = check(new ResumptionCheck(), w);
    assertThat(failed(r, "07.jsonl is a lab trace").hint()).contains("does not exist", "--resume");
  }
}
