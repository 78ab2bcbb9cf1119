package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/**
 * The report's corrections travel as values on the message they are about (what the HTML summary
 * lists and links to its frame), only with the report's corrections asked for, and only where they
 * hold for the capture: ECDHE is corrected, RSA key transport confirmed, TLS 1.3 says nothing of a
 * Server Key Exchange it does not have.
 */
class CorrectionValuesTest {
  private record Said(long frame, String label, Correction correction) {}

  private static List<Said> corrections(LoopbackCaptures.Capture c, boolean report) {
    Annotator an =
        new Annotator(KeyMaterial.none(), new Annotator.Options(true, true, report, false));
    List<Said> out = new ArrayList<>();
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(c.file())) {
      an.follow(r);
      while (r.next(f)) {
        Row row = an.annotate(f);
        for (TlsMessage m : row.messages())
          for (Correction x : m.corrections()) out.add(new Said(row.number, m.label(), x));
      }
    }
    return out;
  }

  @Test
  void ecdheIsCorrectedOnItsServerKeyExchange() throws Exception {
    List<Said> said = corrections(Scenarios.tls12Gcm(), true);
    assertThat(said)
        .anySatisfy(
            s -> {
              assertThat(s.label()).isEqualTo("Server Key Exchange");
              assertThat(s.correction().confirms()).isFalse();
              assertThat(s.correction().text()).contains("not in this suite");
            });
    assertThat(said).noneSatisfy(s -> assertThat(s.correction().confirms()).isTrue());
    assertThat(corrections(Scenarios.tls12Gcm(), false)).isEmpty();
  }

  @Test
  void rsaKeyTransportIsTheOneCaseTheReportDescribes() throws Exception {
    assertThat(corrections(Scenarios.tls12Rsa(), true))
        .anySatisfy(
            s -> {
              assertThat(s.label()).isEqualTo("Client Key Exchange");
              assertThat(s.correction().confirms()).isTrue();
              assertThat(s.correction().text()).contains("no forward secrecy");
            })
        .noneSatisfy(s -> assertThat(s.label()).isEqualTo("Server Key Exchange"));
  }

  @Test
  void tls13SaysNothingOfKeyTransport() throws Exception {
    assertThat(corrections(Scenarios.tls13(), true))
        .isNotEmpty()
        .noneSatisfy(s -> assertThat(s.correction().text()).contains("encrypts the key"));
  }
}
