package tlslab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo's list of ports to avoid is tshark's own table (tshark is the oracle). */
class WiresharkPortsTest {

  @Test
  void theListIsTsharksTcpPortTableInTheEphemeralRange() throws Exception {
    Process p =
        new ProcessBuilder("tshark", "-G", "decodes")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("tshark -G decodes finished").isTrue();
    Set<Integer> tshark = new TreeSet<>();
    for (String line : out.split("\n")) {
      String[] f = line.split("\t");
      if (f.length >= 3 && f[0].equals("tcp.port")) {
        int port = Integer.parseInt(f[1].trim());
        if (port >= 32768 && port <= 60999 && !f[2].trim().equals("tls")) {
          tshark.add(port);
        }
      }
    }
    assertThat(tshark).as("tshark's tcp.port rows: %s", out.length()).isNotEmpty();
    assertThat(new TreeSet<>(WiresharkPorts.EPHEMERAL_OTHER_DISSECTOR)).isEqualTo(tshark);
    assertThat(WiresharkPorts.otherDissector(44818)).isTrue();
    assertThat(WiresharkPorts.otherDissector(44819)).isFalse();
  }
}
