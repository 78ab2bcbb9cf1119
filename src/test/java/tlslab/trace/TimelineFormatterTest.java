package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline's layout: 80 columns, details on the producer's line, wrapped when long. */
class TimelineFormatterTest {
  private static final Instant T0 = Instant.parse("2026-11-25T23:00:00Z");

  private static HandshakeFields hello(List<String> suites) {
    return new HandshakeFields(
        List.of("TLSv1.2"),
        "AB",
        "",
        suites,
        null,
        List.of("server_name"),
        "localhost",
        null,
        null,
        List.of(),
        List.of(),
        null,
        null);
  }

  private static HandshakeFields serverHello(String suite) {
    return new HandshakeFields(
        List.of("TLSv1.2"),
        "CD",
        "",
        List.of(),
        suite,
        List.of(),
        null,
        null,
        null,
        List.of(),
        List.of(),
        null,
        null);
  }

  @Test
  void producedLineCarriesTheDetailsAndConsumedLineOnlyTheMessage() {
    TimelineFormatter f = new TimelineFormatter(true);
    List<String> first =
        f.format(
            new TraceEvent(
                T0,
                Side.CLIENT,
                1,
                Direction.PRODUCED,
                MessageType.CLIENT_HELLO,
                null,
                hello(List.of("A", "B", "C", "D"))));
    List<String> second =
        f.format(
            new TraceEvent(
                T0.plusMillis(3),
                Side.SERVER,
                1,
                Direction.CONSUMED,
                MessageType.CLIENT_HELLO,
                null,
                hello(List.of("A", "B", "C", "D"))));

    assertThat(first.get(0)).startsWith("── connection 1 ").hasSize(80);
    assertThat(first.get(1))
        .isEqualTo("    0.0 client → Client Hello         TLS 1.2, 4 suites, SNI localhost");
    assertThat(second).containsExactly("    3.0 server ← Client Hello");
  }

  @Test
  void longDetailsWrapUnderTheDetailColumn() {
    TimelineFormatter f = new TimelineFormatter(false);
    List<String> lines =
        f.format(
            new TraceEvent(
                T0,
                Side.SERVER,
                2,
                Direction.PRODUCED,
                MessageType.SERVER_HELLO,
                null,
                serverHello("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")));

    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).isEqualTo("    0.0 server → Server Hello         TLS 1.2,");
    // 45 characters do not fit under the details (column 38): the name ends at column 80.
    assertThat(lines.get(2))
        .isEqualTo(" ".repeat(35) + "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    assertThat(lines).allMatch(l -> l.length() <= 80);
  }

  @Test
  void eachConnectionCountsFromItsOwnFirstMessage() {
    TimelineFormatter f = new TimelineFormatter(false);
    f.format(
        new TraceEvent(
            T0,
            Side.SERVER,
            1,
            Direction.CONSUMED,
            MessageType.CLIENT_HELLO,
            null,
            hello(List.of("A"))));
    List<String> later =
        f.format(
            new TraceEvent(
                T0.plusSeconds(3600),
                Side.SERVER,
                2,
                Direction.CONSUMED,
                MessageType.CLIENT_HELLO,
                null,
                hello(List.of("A"))));

    assertThat(later.get(1)).startsWith("    0.0 server ← Client Hello         TLS 1.2, 1 suite");
  }

  @Test
  void jsonLineEscapesAndOmitsAbsentFields() {
    TraceEvent e =
        new TraceEvent(
            T0,
            Side.CLIENT,
            1,
            Direction.CONSUMED,
            MessageType.ALERT,
            null,
            new HandshakeFields(
                List.of(),
                null,
                null,
                List.of(),
                null,
                List.of(),
                null,
                null,
                null,
                List.of("CN=\"quoted\"\\x"),
                List.of("AB:01", "CD:02"),
                null,
                "close_notify"));

    assertThat(e.toJson())
        .isEqualTo(
            "{\"time\":\"2026-11-25T23:00:00Z\",\"side\":\"client\",\"connection\":1,"
                + "\"direction\":\"consumed\",\"message\":\"Alert\","
                + "\"certificate_subjects\":[\"CN=\\\"quoted\\\"\\\\x\"],"
                + "\"certificate_sha256\":[\"AB:01\",\"CD:02\"],\"alert\":\"close_notify\"}");
  }

  /**
   * One side's view (the demo's): a TLS 1.3 Change Cipher Spec says it changes no cipher; a TLS 1.2
   * one says nothing of the kind; a sent alert JSSE did not name says so instead of nothing.
   */
  @Test
  void oneSidedDetailsSayWhatTheRecordIs() {
    TraceEvent ccs =
        new TraceEvent(
            T0,
            Side.SERVER,
            1,
            Direction.CONSUMED,
            MessageType.CHANGE_CIPHER_SPEC,
            null,
            HandshakeFields.NONE);
    assertThat(TimelineFormatter.details(ccs, true))
        .isEqualTo("not a cipher change (RFC 8446 §D.4)")
        .hasSizeLessThanOrEqualTo(45);
    assertThat(TimelineFormatter.details(ccs, false)).isEmpty();
    TraceEvent unnamed =
        new TraceEvent(
            T0, Side.SERVER, 1, Direction.PRODUCED, MessageType.ALERT, null, HandshakeFields.NONE);
    assertThat(TimelineFormatter.details(unnamed, false))
        .isEqualTo("which alert: not in JSSE's log");
  }

  /**
   * In a trace of one side (lab client --trace), a TLS 1.3 Change Cipher Spec received is the
   * compatibility record; there is never a sender's line to miss, but the side's own is not logged
   * either.
   */
  @Test
  void oneSidedTimelineExplainsTheCompatibilityRecordWithoutASendersLine() {
    TimelineFormatter f = new TimelineFormatter(false);
    HandshakeFields tls13 =
        new HandshakeFields(
            List.of("TLSv1.3"),
            "CD",
            "",
            List.of(),
            "TLS_AES_128_GCM_SHA256",
            List.of(),
            null,
            null,
            null,
            List.of(),
            List.of(),
            null,
            null);
    f.format(
        new TraceEvent(
            T0, Side.CLIENT, 1, Direction.CONSUMED, MessageType.SERVER_HELLO, null, tls13));
    String ccs =
        String.join(
            " ",
            f.format(
                new TraceEvent(
                    T0,
                    Side.CLIENT,
                    1,
                    Direction.CONSUMED,
                    MessageType.CHANGE_CIPHER_SPEC,
                    null,
                    HandshakeFields.NONE)));
    assertThat(ccs.replaceAll("\\s+", " "))
        .contains("not a cipher change")
        .contains("JSSE does not log such a record it sends")
        .doesNotContain("sender's");
  }
}
