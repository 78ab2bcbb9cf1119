package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.common.LabException;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * A chat server with a flush delay: lines for one client wait a little for more, then leave
 * together; nothing is lost or reordered, and the delay is bounded.
 */
class FlushDelayTest {
  @TempDir Path dir;

  @Test
  void deferredTasksRunTogetherOnceTheDelayHasPassed() throws Exception {
    EventLoop loop = new EventLoop("defer-test");
    try {
      List<String> ran = new CopyOnWriteArrayList<>();
      long delay = TimeUnit.MILLISECONDS.toNanos(40);
      CompletableFuture<Long> scheduled = new CompletableFuture<>();
      CompletableFuture<long[]> times = new CompletableFuture<>();
      long[] at = new long[3];
      loop.execute(
          () -> {
            scheduled.complete(System.nanoTime());
            for (int i = 0; i < 3; i++) {
              int n = i;
              loop.defer(
                  () -> {
                    at[n] = System.nanoTime();
                    ran.add("task " + n);
                    if (n == 2) {
                      times.complete(at);
                    }
                  },
                  delay);
            }
          });
      long t0 = scheduled.get(5, TimeUnit.SECONDS);
      long[] t = times.get(5, TimeUnit.SECONDS);
      assertThat(ran).containsExactly("task 0", "task 1", "task 2");
      assertThat(t[0] - t0).as("not before the delay").isGreaterThanOrEqualTo(delay);
      // One batch: the three run back to back, not one delay apart.
      assertThat(t[2] - t[0]).isLessThan(delay);
    } finally {
      loop.shutdown();
    }
  }

  @Test
  void linesArriveCompleteAndInOrderWithADelay() throws InterruptedException {
    Path certs = Fixtures.certs(dir);
    List<String> log = new ArrayList<>();
    try (ChatServer server =
        ChatServer.builder()
            .context(Fixtures.serverContext(certs))
            .port(0)
            .loops(2)
            .flushDelay(Duration.ofMillis(20))
            .log(log::add)
            .build()
            .start()) {
      Fixtures.Lines a = Fixtures.client(certs, server, TlsProfile.MODERN, "ann");
      Fixtures.Lines b = Fixtures.client(certs, server, TlsProfile.MODERN, "ben");
      Fixtures.Lines c = Fixtures.client(certs, server, TlsProfile.MODERN, "cy");
      try {
        for (int i = 0; i < 200; i++) {
          (i % 2 == 0 ? a : b).client.send("line " + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(c.all.contains("<ann> line 198") && c.all.contains("<ben> line 199"))
            && System.nanoTime() < deadline) {
          c.queue.poll(50, TimeUnit.MILLISECONDS); // wakes up with each line
        }
        List<Integer> fromAnn = new ArrayList<>();
        List<Integer> fromBen = new ArrayList<>();
        for (String l : c.all) {
          if (l.startsWith("<ann> line ")) {
            fromAnn.add(Integer.parseInt(l.substring("<ann> line ".length())));
          } else if (l.startsWith("<ben> line ")) {
            fromBen.add(Integer.parseInt(l.substring("<ben> line ".length())));
          }
        }
        assertThat(fromAnn).hasSize(100).isSorted().doesNotHaveDuplicates();
        assertThat(fromBen).hasSize(100).isSorted().doesNotHaveDuplicates();
      } finally {
        a.client.close();
        b.client.close();
        c.client.close();
      }
    }
  }

  @Test
  void aDelayBeyond100MillisecondsIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ChatServer.builder()
                    .context(Fixtures.serverContext(Fixtures.certs(dir)))
                    .clientAuth(ClientAuth.NONE)
                    .flushDelay(Duration.ofMillis(101))
                    .build())
        .isInstanceOf(LabException.class)
        .hasMessageContaining("flushDelay must be 0..100 ms");
  }
}
