package tlslab.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TcpDirectionTest {
  private final TcpDirection client = new TcpDirection();
  private final TcpDirection server = new TcpDirection();
  private long frame;

  private int send(TcpDirection from, TcpDirection to, int seq, int ack, int flags, int len) {
    TcpPacket p = new TcpPacket();
    p.seq = seq;
    p.ack = ack;
    p.flags = flags;
    p.window = 1000;
    p.payloadLength = len;
    frame++;
    return from.analyze(p, to, frame, frame * 10_000_000L);
  }

  @Test
  void sequenceNumbersWrapAroundWithoutFalseAlarms() {
    int isn = 0xFFFFFF00;
    assertThat(send(client, server, isn, 0, TcpPacket.SYN, 0)).isZero();
    assertThat(send(server, client, 5000, isn + 1, TcpPacket.SYN | TcpPacket.ACK, 0)).isZero();
    int seq = isn + 1;
    for (int i = 0; i < 5; i++) { // crosses 2^32
      assertThat(send(client, server, seq, 5001, TcpPacket.ACK | TcpPacket.PSH, 100))
          .as("segment " + i)
          .isZero();
      seq += 100;
    }
    assertThat(TcpDirection.gt(5, 0xFFFFFFF0)).isTrue();
    assertThat(Integer.toUnsignedLong(seq - client.baseSeq)).isEqualTo(501);
  }

  @Test
  void gapRetransmissionAndAckedUnseenAreFlaggedLikeWireshark() {
    send(client, server, 100, 0, TcpPacket.SYN, 0);
    send(server, client, 900, 101, TcpPacket.SYN | TcpPacket.ACK, 0);
    send(client, server, 101, 901, TcpPacket.ACK, 50);
    int lost = send(client, server, 201, 901, TcpPacket.ACK, 50); // 151..201 never captured
    assertThat(lost & TcpDirection.LOST).isNotZero();
    assertThat(client.prefix(lost)).isEqualTo("[TCP Previous segment not captured] ");
    int ack = send(server, client, 901, 251, TcpPacket.ACK, 0);
    // The receiver acknowledges 151..201, which the capture never saw.
    assertThat(ack & TcpDirection.ACK_LOST).isNotZero();
    assertThat(server.prefix(ack)).isEqualTo("[TCP ACKed unseen segment] ");
    assertThat(send(server, client, 901, 251, TcpPacket.ACK, 0) & TcpDirection.ACK_LOST)
        .isZero(); // once
    frame += 100; // much later: a retransmission, not out-of-order
    int re = send(client, server, 151, 901, TcpPacket.ACK, 50);
    assertThat(re & (TcpDirection.RETRANSMISSION | TcpDirection.SPURIOUS)).isNotZero();
  }
}
