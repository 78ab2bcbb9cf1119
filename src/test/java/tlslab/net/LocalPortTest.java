package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * A client told which local ports it may use (the demo refuses those Wireshark reads as another
 * protocol) connects from one it allows, never from one it refused, and chats.
 */
class LocalPortTest {
  @TempDir Path dir;

  @Test
  void aRefusedLocalPortIsNotTheOneTheConnectionUses() {
    Path certs = Fixtures.certs(dir);
    List<Integer> offered = new CopyOnWriteArrayList<>();
    try (ChatServer server =
        Fixtures.server(certs, TlsProfile.MODERN, ClientAuth.NONE, new CopyOnWriteArrayList<>())) {
      Fixtures.Lines lines = new Fixtures.Lines();
      lines.client =
          ChatClient.builder()
              .port(server.port())
              .context(Fixtures.clientContext(certs))
              .name("alice")
              .onLine(lines::add)
              .localPortAllowed(
                  p -> {
                    offered.add(p);
                    return offered.size() > 2; // refuse the first two the system gives
                  })
              .build()
              .connect();
      try {
        lines.awaitStartsWith("* you are now alice");
        lines.client.send("/whoami");
        String whoami = lines.awaitStartsWith("* you are ");
        assertThat(offered).hasSize(3).doesNotHaveDuplicates();
        assertThat(whoami).contains(":" + offered.get(2) + ",");
        assertThat(whoami).doesNotContain(":" + offered.get(0) + ",");
        assertThat(whoami).doesNotContain(":" + offered.get(1) + ",");
      } finally {
        lines.client.close();
      }
    }
  }
}
