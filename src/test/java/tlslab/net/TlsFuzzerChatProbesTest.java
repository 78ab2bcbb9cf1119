package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlslab.tls.ClientAuth;
import tlslab.tls.TlsProfile;

/**
 * tlsfuzzer (a TLS stack no one here wrote) sends what JSSE never would: a client Finished and, in
 * the same segment, a KeyUpdate with an undefined request_update. The server's ticket and welcome
 * line are queued by then; the illegal_parameter alert must still follow them (RFC 8446 §4.6.3).
 * The conversations are in {@code chat_probes.py}, written for a server that greets first. Needs
 * ../shared/tlsfuzzer and Debian's python3-ecdsa; without them the test is skipped and says why.
 */
class TlsFuzzerChatProbesTest {
  @TempDir Path certs;

  @Test
  void badKeyUpdateAfterQueuedRecordsGetsIllegalParameter() throws Exception {
    Path tlsfuzzer = Path.of("../shared/tlsfuzzer").toAbsolutePath().normalize();
    Assumptions.assumeTrue(
        Files.isDirectory(tlsfuzzer.resolve("tlsfuzzer")),
        tlsfuzzer + " is absent: tlsfuzzer probes not run");
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(
        pythonHasEcdsa(python), "/usr/bin/python3 lacks python3-ecdsa: tlsfuzzer probes not run");
    Path script = Path.of("src/test/resources/tlslab/net/chat_probes.py").toAbsolutePath();
    Fixtures.certs(certs);
    List<String> log = new CopyOnWriteArrayList<>();
    try (ChatServer server = Fixtures.server(certs, TlsProfile.TLS13, ClientAuth.NONE, log)) {
      ProcessBuilder pb =
          new ProcessBuilder(python.toString(), script.toString(), "" + server.port())
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("PYTHONPATH", tlsfuzzer.toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<String> lines = new ArrayList<>(List.of(out.strip().split("\n")));
      assertThat(lines).hasSize(4).allMatch(l -> l.startsWith("PASS "), "every probe passed");
      assertThat(p.exitValue()).isZero();
      Fixtures.awaitLog(log, l -> l.contains("Invalid KeyUpdate message value"));
    }
  }

  private static boolean pythonHasEcdsa(Path python) throws IOException, InterruptedException {
    if (!Files.isExecutable(python)) {
      return false;
    }
    Process p = new ProcessBuilder(python.toString(), "-c", "import ecdsa").start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
