package tlslab.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.capture.CaptureStats;
import tlslab.capture.TcpEnds;

/**
 * What the demo says when its capture lacks something: each gap in one sentence, a warning before
 * the table, and no verdict judged on the capture (a claim checked on a capture with holes could be
 * judged wrongly, and a wrong explanation is the worst bug).
 */
class CaptureCheckTest {
  private static final CaptureStats NO_DROPS = new CaptureStats(40, 40, 0, 0, 0, 0, 0);
  private static final TcpEnds.Connection WHOLE =
      new TcpEnds.Connection(
          "127.0.0.1:50000", "127.0.0.1:4433", true, true, true, false, true, 20);

  @Test
  void twoWholeConnectionsNoDropsAndEveryKeyIsComplete() {
    CaptureCheck c = new CaptureCheck(NO_DROPS, List.of(WHOLE, WHOLE), 2, List.of(), List.of());
    assertThat(c.gaps()).isEmpty();
    assertThat(c.complete()).isTrue();
  }

  @Test
  void eachMissingPartIsNamed() {
    TcpEnds.Connection lateStart =
        new TcpEnds.Connection(
            "127.0.0.1:50001", "127.0.0.1:4433", false, true, true, false, true, 9);
    TcpEnds.Connection earlyStop =
        new TcpEnds.Connection(
            "127.0.0.1:50002", "127.0.0.1:4433", true, true, false, false, false, 9);
    CaptureCheck c =
        new CaptureCheck(
            new CaptureStats(38, 40, 2, 0, 0, 0, 0),
            List.of(lateStart, earlyStop),
            2,
            List.of("could not obtain the TLS 1.2 master secret"),
            List.of(
                new CaptureCheck.Decryption(1, 0, null),
                new CaptureCheck.Decryption(2, 3, "record 4 failed to authenticate")));
    assertThat(c.complete()).isFalse();
    assertThat(c.gaps())
        .containsExactly(
            "2 of 40 packets were lost before reaching the file (38 captured, 2 dropped by the"
                + " kernel, 0 by the lab).",
            "connection 1 (127.0.0.1:50001 to 127.0.0.1:4433) has no SYN: its start is not in the"
                + " capture.",
            "connection 2 (127.0.0.1:50002 to 127.0.0.1:4433) has no FIN from the server: its end"
                + " is not in the capture.",
            "key log: could not obtain the TLS 1.2 master secret",
            "connection 1 was not decrypted with the key log (no key matched its session).",
            "connection 2: decryption stopped after 3 records (record 4 failed to authenticate).");
  }

  @Test
  void aMissingOrStrangeConnectionAndUnknownCountersAreGaps() {
    assertThat(new CaptureCheck(NO_DROPS, List.of(WHOLE), 2, List.of(), List.of()).gaps())
        .containsExactly(
            "the capture holds 1 TCP connection on the server's port; the demo made 2.");
    assertThat(new CaptureCheck(null, List.of(WHOLE, WHOLE), 2, List.of(), List.of()).gaps())
        .containsExactly("libpcap's counters could not be read, so drops cannot be ruled out.");
  }

  @Test
  void theReportWarnsBeforeTheTableAndJudgesNoClaimOnAnIncompleteCapture() {
    TcpEnds.Connection lateStart =
        new TcpEnds.Connection(
            "127.0.0.1:50001", "127.0.0.1:4433", false, true, true, false, true, 9);
    DemoRun run =
        run(new CaptureCheck(NO_DROPS, List.of(lateStart, WHOLE), 2, List.of(), List.of()));
    StringWriter text = new StringWriter();
    DemoReport report = new DemoReport(run, new PrintWriter(text));
    report.print();
    String out = text.toString().replaceAll("\\s+", " ");
    assertThat(out)
        .contains("WARNING: this capture is INCOMPLETE")
        .contains("connection 1 (127.0.0.1:50001 to 127.0.0.1:4433) has no SYN")
        .contains("Not checked: the capture is incomplete");
    assertThat(out.indexOf("WARNING")).isLessThan(out.indexOf("No. Time"));
    assertThat(text.toString().lines().filter(l -> l.matches("  [✔✘] .*"))).isEmpty();
    assertThat(report.verdictList()).isEmpty();

    // The same run with a whole capture is judged.
    DemoReport whole =
        new DemoReport(
            run(new CaptureCheck(NO_DROPS, List.of(WHOLE, WHOLE), 2, List.of(), List.of())),
            new PrintWriter(new StringWriter()));
    assertThat(whole.verdictList()).isNotEmpty();
  }

  private static DemoRun run(CaptureCheck check) {
    return new DemoRun(
        4433,
        Path.of("demo.pcapng"),
        Path.of("demo.keylog"),
        List.of(),
        List.of(),
        List.of(),
        "TLSv1.2",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        List.of("alice: hi"),
        List.of(),
        null,
        null,
        List.of(),
        check);
  }
}
