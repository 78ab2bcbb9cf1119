package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.TlsProfile;

/**
 * The warm-up really runs the chat before the server accepts: rounds of lines, with clients that
 * leave and new ones that join (full handshakes) in every round, and then the server still serves
 * its first real client. A warm-up that quietly gave up after its first handshakes would speed up
 * nothing and look the same from outside.
 */
class WarmUpTest {
  @TempDir Path dir;

  @Test
  void roundsOfLinesHandshakesAndCommandsRunBeforeTheServerAccepts() throws InterruptedException {
    Path certs = Fixtures.certs(dir);
    ChatServer.Builder config =
        ChatServer.builder()
            .context(Fixtures.serverContext(certs))
            .port(0)
            .flushDelay(Duration.ofMillis(1)) // the warm-up takes the real server's settings
            // A budget the warm-up should never need (it stops when the JIT is quiet or at its
            // round limit), so that a loaded machine does not cut it short before two rounds.
            .warmUp(Duration.ofSeconds(30));
    config.warmUpRoundLines = 100; // 1500 in a real server; rounds of 100 keep the test short
    try (ChatServer server = config.build().start()) {
      ChatServer.WarmUpReport w = server.warmUp();
      assertThat(w.end()).isIn("JIT quiet", "round limit", "time budget");
      assertThat(w.millis())
          .as(w.toString())
          .isLessThan(30_000 + 1500); // the budget, plus the round under way
      assertThat(w.rounds()).as(w.toString()).isGreaterThanOrEqualTo(2);
      // Eight clients at the start, then two leave and two join after every round.
      assertThat(w.joins()).isEqualTo(8 + 2 * w.rounds());
      assertThat(server.memberCount()).as("the warm-up's room is not this server's").isZero();

      Fixtures.Lines a = Fixtures.client(certs, server, TlsProfile.MODERN, "ann");
      Fixtures.Lines b = Fixtures.client(certs, server, TlsProfile.MODERN, "ben");
      try {
        a.client.send("hello after the warm-up");
        String line;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
          line = b.queue.poll(100, TimeUnit.MILLISECONDS);
        } while (!"<ann> hello after the warm-up".equals(line) && System.nanoTime() < deadline);
        assertThat(line).isEqualTo("<ann> hello after the warm-up");
      } finally {
        a.client.close();
        b.client.close();
      }
    }
  }
}
