package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every frame of {@code ../shared/captures/real} that is not TCP shows what it is: the Protocol
 * column is tshark's on all of them, and the Info column too for UDP, DNS, LLMNR, mDNS, ARP, ICMP
 * and QUIC (the protocols the lab only names - NBNS, BROWSER, STP, ICMPv6 - are listed in the
 * README). Every IP row carries its addresses.
 */
@Tag("slow")
class OtherRowsParityTest {
  static final Path REAL = Path.of("../shared/captures/real");
  static final Set<String> INFO_AS_TSHARK =
      Set.of("UDP", "DNS", "LLMNR", "MDNS", "ARP", "ICMP", "QUIC", "HTTP3");

  @BeforeAll
  static void prepare() throws IOException {
    RealCapturesParityTest.prepareTshark();
  }

  @Test
  void nonTcpFramesOfRealCapturesAreLabelledAsTsharkDoes() throws Exception {
    assertThat(REAL).as("../shared/captures/real (real captures folder) is absent").isDirectory();
    List<Path> files;
    try (Stream<Path> s = Files.list(REAL)) {
      files = s.filter(p -> p.toString().matches(".*\\.pcap(ng)?$")).sorted().toList();
    }
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    int infoCompared = 0;
    for (Path f : files) {
      // tshark -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info -e ip.src -e
      // ipv6.src, run once per capture for this class and RealCapturesParityTest.
      RealCapturesParityTest.TsharkRun run = RealCapturesParityTest.tsharkRun(f);
      // 2: a capture cut short in the middle of a packet; tshark labels what it could read.
      assertThat(run.exit()).as("tshark exit code on " + f).isIn(0, 2);
      if (run.exit() == 2) assertThat(run.rows()).as("tshark read some frames").isNotEmpty();
      List<String[]> t = run.rows();
      Map<Long, Row> ours = QuicCaptureTest.annotate(f, KeyMaterial.none()).rows();
      for (String[] r : t) {
        // TCP and what runs over it (TLS, HTTP, DoH...) are TsharkParityTest's part.
        if (r[1].equals("TCP") || r[1].startsWith("TLS") || r[1].startsWith("SSL")) continue;
        if (isTcpApp(r[1])) continue;
        Row row = ours.get(Long.parseLong(r[0]));
        compared++;
        String want = r[1];
        String got = row.protocol;
        if (INFO_AS_TSHARK.contains(r[1])) {
          infoCompared++;
          want += " | " + r[2];
          got += " | " + row.info;
        }
        if (!want.equals(got))
          diffs.add(
              f.getFileName() + " frame " + r[0] + ": tshark [" + want + "] ours [" + got + "]");
        String ip = !r[3].isEmpty() ? r[3] : r[4];
        if (!ip.isEmpty() && !row.source.equals(ip.split(",")[0])) {
          diffs.add(f.getFileName() + " frame " + r[0] + ": source " + row.source + " != " + ip);
        }
      }
    }
    assertThat(compared).as("non-TCP frames compared").isGreaterThan(300);
    assertThat(infoCompared).as("frames whose Info is compared").isGreaterThan(200);
    assertThat(diffs).isEmpty();
  }

  private static boolean isTcpApp(String protocol) {
    return Set.of("HTTP", "HTTP2", "DoH", "OCSP", "PGSQL", "SMTP", "LDAP", "PKIX-CRL")
        .contains(protocol);
  }
}
