package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The notes correct the student report where it misreads Wireshark, on real captures: a Server Key
 * Exchange means the premaster secret is not encrypted with the server key, "Encrypted Handshake
 * Message" is Finished, New Session Ticket is for resumption; and the summary tells forward-secret
 * from not.
 */
@Tag("slow")
class ReportCorrectionsTest {

  private static String notesOf(Map<Long, Row> rows, String label) {
    StringBuilder sb = new StringBuilder();
    for (Row r : rows.values())
      for (String n : r.notes) if (n.startsWith(label)) sb.append(n).append('\n');
    return sb.toString();
  }

  @Test
  void ecdheSessionNotesCorrectTheReport() throws Exception {
    // The lab's own capture: the report's corrections are asked for (lab annotate --report).
    Map<Long, Row> rows = withReport(Scenarios.tls12Gcm());
    assertThat(notesOf(rows, "Server Key Exchange"))
        .contains("never encrypted with the server's public key")
        .contains("The report says the client encrypts the key");
    assertThat(notesOf(rows, "Client Key Exchange"))
        .contains("ephemeral")
        .contains("Contrary to the report");
    assertThat(notesOf(rows, "Encrypted Handshake Message"))
        .contains("is its Finished")
        .contains("\"hashing completed\"");
    assertThat(notesOf(rows, "New Session Ticket"))
        .contains("resume")
        .contains("not about allowing");
    assertThat(notesOf(rows, "Server Hello"))
        .contains("\"sends back the public certificate\": that is the separate Certificate");
  }

  @Test
  void summariesTellForwardSecretFromNot() throws Exception {
    assertThat(summary(Scenarios.tls12Gcm()))
        .anySatisfy(l -> assertThat(l).contains("ECDHE").contains("- forward secret"));
    assertThat(summary(Scenarios.tls12Rsa()))
        .anySatisfy(l -> assertThat(l).contains("NOT forward secret"));
    Collection<String> resumed = summary(Scenarios.resumed());
    // openssl's client offers its ticket with a made-up session id, which the server echoes: the
    // echo is the same for a ticket and for the session cache (RFC 5077 3.4).
    assertThat(resumed)
        .contains(
            "handshake: resumed (abbreviated handshake) by session ticket or by session id: the"
                + " client offered both, and the server echoes the session id either way (RFC 5077"
                + " 3.4)")
        .doesNotContain("handshake: resumed by session ticket (abbreviated handshake, RFC 5077)");
    assertThat(summary(Scenarios.clientAuth()))
        .anySatisfy(l -> assertThat(l).contains("client authentication"));
    assertThat(summary(Scenarios.tls13())).contains("version: TLS 1.3");
  }

  private static Map<Long, Row> withReport(LoopbackCaptures.Capture c) {
    Map<Long, Row> rows = new java.util.HashMap<>();
    Annotator an =
        new Annotator(KeyMaterial.none(), new Annotator.Options(true, false, true, false));
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(c.file())) {
      while (r.next(f)) {
        Row row = an.annotate(f);
        rows.put(row.number, row.copy());
      }
    }
    return rows;
  }

  private static List<String> summary(LoopbackCaptures.Capture c) {
    Annotator an = new Annotator(KeyMaterial.none(), false);
    tlslab.pcap.Frame f = new tlslab.pcap.Frame();
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(c.file())) {
      while (r.next(f)) an.annotate(f);
    }
    List<ConnectionSummary> s = an.summaries();
    assertThat(s).isNotEmpty();
    return s.get(s.size() - 1).lines();
  }
}
