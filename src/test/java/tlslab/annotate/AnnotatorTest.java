package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tlslab.pcap.TcpPacket;

/** Reassembly behaviour on crafted streams: sequence wrap, overlap, any port, plain text. */
class AnnotatorTest {
  private final Annotator an = new Annotator(KeyMaterial.none(), true);
  private long frameNo;

  private Row feed(byte[] packet) {
    return an.annotate(SyntheticCapture.frame(++frameNo, packet)).copy();
  }

  @Test
  void clientHelloSplitAcrossTheSequenceWrapIsLabelledWhereItCompletes() {
    int isn = 0xFFFFFFF0;
    feed(SyntheticCapture.packet(true, isn, 0, TcpPacket.SYN, new byte[0], 0, 0));
    feed(
        SyntheticCapture.packet(
            false, 777, isn + 1, TcpPacket.SYN | TcpPacket.ACK, new byte[0], 0, 0));
    byte[] rec = SyntheticCapture.record(22, 0x0301, SyntheticCapture.clientHelloMessage());
    int seq = isn + 1; // 15 bytes before the wrap
    Row first =
        feed(SyntheticCapture.packet(true, seq, 778, TcpPacket.ACK | TcpPacket.PSH, rec, 0, 20));
    Row second =
        feed(
            SyntheticCapture.packet(
                true, seq + 20, 778, TcpPacket.ACK | TcpPacket.PSH, rec, 20, rec.length - 20));
    assertThat(first.protocol).isEqualTo("TCP");
    assertThat(first.info).contains("[TCP segment of a reassembled PDU]");
    assertThat(second.protocol).isEqualTo("TLSv1");
    assertThat(second.info).isEqualTo("Client Hello");
    assertThat(second.notes).hasSize(2);
    assertThat(second.notes.get(0)).startsWith("Client Hello (RFC 5246 7.4.1.2)");
    // The reassembly itself is explained once: a PDU from 2 frames.
    assertThat(second.notes.get(1)).contains("split over 2 segments");
    assertThat(second.messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.handshakeType()).isEqualTo(1);
              assertThat(m.range().space()).isEqualTo(ByteRange.Space.STREAM);
            });
  }

  /**
   * An overlapping resend of records already seen, 1 µs later, is out-of-order to tshark, and a
   * second copy a retransmission: tshark (tcp.no_subdissector_on_error) hands neither to TLS, even
   * though the first carries a new record. Expected rows are tshark 4.0.17's on these same bytes
   * ({@code tshark -d tcp.port==5555,tls}).
   */
  @Test
  void retransmittedAndOutOfOrderSegmentsAreTcpRowsLikeTshark() {
    byte[] a = SyntheticCapture.record(23, 0x0303, new byte[40]);
    byte[] b = SyntheticCapture.record(23, 0x0303, new byte[30]);
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    List<Row> rows = new ArrayList<>();
    rows.add(feed(SyntheticCapture.packet(true, 1000, 1, TcpPacket.ACK, a, 0, a.length)));
    rows.add(feed(SyntheticCapture.packet(true, 1000, 1, TcpPacket.ACK, both, 0, both.length)));
    rows.add(feed(SyntheticCapture.packet(true, 1000, 1, TcpPacket.ACK, both, 0, both.length)));
    assertThat(rows.get(0).protocol + " | " + rows.get(0).info)
        .isEqualTo("TLSv1.2 | Application Data");
    assertThat(rows.get(1).protocol + " | " + rows.get(1).info)
        .isEqualTo("TCP | [TCP Out-Of-Order] 40000 \u2192 5555 [ACK] Seq=1 Ack=1 Win=4096 Len=80");
    assertThat(rows.get(2).protocol + " | " + rows.get(2).info)
        .isEqualTo(
            "TCP | [TCP Retransmission] 40000 \u2192 5555 [ACK] Seq=1 Ack=1 Win=4096 Len=80");
    assertThat(rows.get(1).tls).isFalse();
  }

  /**
   * After two duplicate ACKs asking for it, a resend is a fast retransmission (RFC 5681 section
   * 3.2), which tshark does hand to TLS: both records are labelled again, the first one included.
   * Expected rows are tshark 4.0.17's on these same bytes.
   */
  @Test
  void aFastRetransmissionIsDissectedAgainLikeTshark() {
    byte[] a = SyntheticCapture.record(23, 0x0303, new byte[40]);
    byte[] b = SyntheticCapture.record(23, 0x0303, new byte[30]);
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    feed(SyntheticCapture.packet(true, 1000, 1, TcpPacket.ACK, a, 0, a.length));
    for (int i = 0; i < 3; i++) {
      feed(SyntheticCapture.packet(false, 1, 1000, TcpPacket.ACK, new byte[0], 0, 0));
    }
    Row r = feed(SyntheticCapture.packet(true, 1000, 1, TcpPacket.ACK, both, 0, both.length));
    assertThat(r.protocol + " | " + r.info)
        .isEqualTo("TLSv1.2 | [TCP Fast Retransmission] , Application Data, Application Data");
  }

  @Test
  void aDecoderExceptionIsARecordedProblemNotNotTcp() {
    // A frame whose lengths claim more bytes than its array holds (a reader bug): the decoder
    // throws. The row says so and the annotator counts an internal problem.
    byte[] rec = SyntheticCapture.record(22, 0x0301, SyntheticCapture.clientHelloMessage());
    byte[] p = SyntheticCapture.packet(true, 1, 1, TcpPacket.ACK, rec, 0, rec.length);
    tlslab.pcap.Frame f = SyntheticCapture.frame(++frameNo, java.util.Arrays.copyOf(p, 30));
    f.capturedLength = f.wireLength = p.length;
    Row r = an.annotate(f).copy();
    assertThat(r.info).startsWith("[Malformed frame: ").doesNotContain("not TCP");
    assertThat(r.problems).singleElement().asString().contains("internal error while decoding");
    assertThat(an.problems()).singleElement().asString().startsWith("frame 1: packet decoder:");
    // The next frame is annotated as usual.
    Row next = feed(p);
    assertThat(next.info).isEqualTo("Client Hello");
  }

  @Test
  void plainTextOnAnyPortStaysTcp() {
    byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();
    Row r =
        feed(
            SyntheticCapture.packet(
                true, 5, 1, TcpPacket.ACK | TcpPacket.PSH, http, 0, http.length));
    assertThat(r.protocol).isEqualTo("TCP");
    assertThat(r.tls).isFalse();
    assertThat(an.summaries()).isEmpty();
  }

  @Test
  void aFloodOfConnectionsIsBoundedAndTlsSummariesSurvive() {
    byte[] rec = SyntheticCapture.record(22, 0x0301, SyntheticCapture.clientHelloMessage());
    feed(SyntheticCapture.packet(true, 1, 1, TcpPacket.ACK | TcpPacket.PSH, rec, 0, rec.length));
    for (int i = 0; i < Annotator.MAX_TRACKED + 10; i++) {
      byte[] syn = SyntheticCapture.packet(true, i, 0, TcpPacket.SYN, new byte[0], 0, 0);
      syn[12] = (byte) (i >> 16); // distinct source address per connection
      syn[13] = (byte) (i >> 8);
      syn[14] = (byte) i;
      feed(syn);
    }
    assertThat(an.evictedConnections()).isGreaterThan(0);
    assertThat(an.summaries()).hasSize(1);
    assertThat(an.summaries().get(0).lines()).anySatisfy(l -> assertThat(l).contains("version"));
  }

  @Test
  void garbageAfterTlsStartIsIgnoredUnknownRecordNotACrash() {
    byte[] rec = SyntheticCapture.record(22, 0x0303, new byte[] {14, 0, 0, 0}); // Server Hello Done
    Row r1 = feed(SyntheticCapture.packet(false, 50, 1, TcpPacket.ACK, rec, 0, rec.length));
    assertThat(r1.info).isEqualTo("Server Hello Done");
    assertThat(r1.protocol).isEqualTo("TLSv1.2");
    byte[] junk = {(byte) 0x99, 1, 2, 3, 4, 5, 6, 7};
    Row r2 =
        feed(
            SyntheticCapture.packet(
                false, 50 + rec.length, 1, TcpPacket.ACK, junk, 0, junk.length));
    assertThat(r2.info).isEqualTo("Ignored Unknown Record");
    assertThat(an.problems()).isEmpty();
  }
}
