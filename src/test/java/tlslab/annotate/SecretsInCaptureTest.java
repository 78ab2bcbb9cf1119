package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.cli.CliRun;

/**
 * Keys inside the capture: a real TLS 1.3 session (openssl s_server and s_client on loopback, key
 * log written by openssl) turned into a pcapng with the key log injected as a Decryption Secrets
 * Block by Wireshark's own editcap. tshark decrypts such a file with no key log option; so must
 * {@code lab annotate}, with the same labels and the same decrypted bytes.
 */
@Tag("slow")
@Tag("jdk") // decryption runs on the JDK's ciphers
class SecretsInCaptureTest {
  @Test
  void aPcapngWithInjectedSecretsDecryptsLikeTsharkWithNoKeyLog() throws Exception {
    LoopbackCaptures.Capture c = LoopbackCaptures.injectSecrets("tls13-secrets", Scenarios.tls13());
    List<String[]> expected = LoopbackCaptures.tshark(c); // no tls.keylog_file: the file has them
    assertThat(expected)
        .as("tshark decrypts the TLS 1.3 handshake from the injected secrets")
        .anySatisfy(t -> assertThat(t[2]).contains("Encrypted Extensions"));

    Map<Long, Row> ours = TsharkParityTest.annotate(c, KeyMaterial.none());
    List<String> diffs = new ArrayList<>();
    int decrypted = 0;
    for (String[] t : expected) {
      if (!TsharkParityTest.isTls(t)) continue;
      Row r = ours.get(Long.parseLong(t[0]));
      String want = t[1] + " | " + t[2];
      String got = r == null ? "(no row)" : r.protocol + " | " + r.info;
      if (!got.equals(want)) diffs.add("frame " + t[0] + ": tshark [" + want + "] ours [" + got);
      String tsData = t.length > 3 ? t[3].replace(",", "") : "";
      StringBuilder ourData = new StringBuilder();
      if (r != null)
        for (Payload p : r.payloads) ourData.append(HexFormat.of().formatHex(p.bytes()));
      if (!tsData.equals(ourData.toString()))
        diffs.add("frame " + t[0] + ": tshark data [" + tsData + "] ours [" + ourData + "]");
      if (!tsData.isEmpty()) decrypted++;
    }
    assertThat(decrypted).as("frames whose application data tshark decrypted").isGreaterThan(0);
    assertThat(diffs).as("differences from tshark's decryption").isEmpty();
  }

  @Test
  void labAnnotateDecryptsItWithoutKeylogOption() throws Exception {
    LoopbackCaptures.Capture c = LoopbackCaptures.injectSecrets("tls13-secrets", Scenarios.tls13());
    CliRun.Result r = CliRun.run("annotate", c.file().toString());
    assertThat(r.exit()).as("exit code; stderr: " + r.err()).isZero();
    assertThat(r.out())
        .as("the chat line, decrypted with the keys from the file")
        .contains("hello from client")
        .contains("hello from server")
        .contains("Encrypted Extensions");
  }

  @Test
  void withoutTheSecretsBlockTheSameSessionStaysEncrypted() throws Exception {
    LoopbackCaptures.Capture plain =
        LoopbackCaptures.editcap("tls13-pcapng", Scenarios.tls13(), "pcapng");
    Map<Long, Row> ours = TsharkParityTest.annotate(plain, KeyMaterial.none());
    // The session is there, encrypted (both checks below passed on no rows at all).
    assertThat(ours.values()).anySatisfy(r -> assertThat(r.info).contains("Application Data"));
    assertThat(ours.values()).allSatisfy(r -> assertThat(r.payloads).isEmpty());
    assertThat(ours.values()).noneSatisfy(r -> assertThat(r.info).contains("Encrypted Extensions"));
  }
}
