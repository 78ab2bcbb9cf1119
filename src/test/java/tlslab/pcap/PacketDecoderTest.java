package tlslab.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacketDecoderTest {
  static byte[] tcp(int payload) {
    byte[] t = new byte[20 + payload];
    t[0] = (byte) 0xd4; // port 54321
    t[1] = 0x31;
    t[2] = 0x20; // 8443
    t[3] = (byte) 0xfb;
    t[7] = 1; // seq 1
    t[12] = 0x50;
    t[13] = 0x18;
    t[15] = 100;
    return t;
  }

  static byte[] ipv4(byte[] tcp) {
    byte[] ip = new byte[20 + tcp.length];
    ip[0] = 0x45;
    ip[2] = (byte) (ip.length >> 8);
    ip[3] = (byte) ip.length;
    ip[9] = 6;
    ip[12] = 10;
    ip[15] = 1;
    ip[16] = 10;
    ip[19] = 2;
    System.arraycopy(tcp, 0, ip, 20, tcp.length);
    return ip;
  }

  static byte[] ipv6(byte[] tcp) {
    byte[] ip = new byte[40 + tcp.length];
    ip[0] = 0x60;
    ip[4] = (byte) (tcp.length >> 8);
    ip[5] = (byte) tcp.length;
    ip[6] = 6;
    ip[23] = 1;
    ip[39] = 1;
    System.arraycopy(tcp, 0, ip, 40, tcp.length);
    return ip;
  }

  static Frame frame(int link, byte[] prefix, byte[] ip) {
    Frame f = new Frame();
    f.linkType = link;
    f.data = new byte[prefix.length + ip.length];
    System.arraycopy(prefix, 0, f.data, 0, prefix.length);
    System.arraycopy(ip, 0, f.data, prefix.length, ip.length);
    f.capturedLength = f.wireLength = f.data.length;
    return f;
  }

  @Test
  void decodesEveryLinkTypeTheLabSees() {
    byte[] v4 = ipv4(tcp(7));
    byte[] eth = new byte[14];
    eth[12] = 0x08;
    byte[] vlan = new byte[18];
    vlan[12] = (byte) 0x81;
    vlan[16] = 0x08;
    byte[] sll = new byte[16];
    sll[14] = 0x08;
    byte[] sll2 = new byte[20];
    sll2[0] = 0x08;
    byte[] bsd = {2, 0, 0, 0};
    TcpPacket p = new TcpPacket();
    for (Frame f :
        new Frame[] {
          frame(1, eth, v4),
          frame(1, vlan, v4),
          frame(113, sll, v4),
          frame(276, sll2, v4),
          frame(101, new byte[0], v4),
          frame(228, new byte[0], v4),
          frame(0, bsd, v4)
        }) {
      assertThat(PacketDecoder.decode(f, p)).as("link " + f.linkType).isTrue();
      assertThat(p.srcPort).isEqualTo(54321);
      assertThat(p.dstPort).isEqualTo(8443);
      assertThat(p.payloadLength).isEqualTo(7);
      assertThat(TcpPacket.address(p.src, p.ipVersion)).isEqualTo("10.0.0.1");
    }
    assertThat(PacketDecoder.decode(frame(229, new byte[0], ipv6(tcp(3))), p)).isTrue();
    assertThat(p.ipVersion).isEqualTo(6);
    assertThat(p.payloadLength).isEqualTo(3);
    assertThat(TcpPacket.address(p.src, 6)).isEqualTo("::1");
  }

  @Test
  void snaplenCutsTheCapturedPayloadButNotTheWireLength() {
    Frame f = frame(101, new byte[0], ipv4(tcp(100)));
    f.capturedLength = 60;
    TcpPacket p = new TcpPacket();
    assertThat(PacketDecoder.decode(f, p)).isTrue();
    assertThat(p.payloadLength).isEqualTo(100);
    assertThat(p.payloadCaptured).isEqualTo(20);
    f.capturedLength = 30; // inside the TCP header
    assertThat(PacketDecoder.decode(f, p)).isFalse();
  }

  @Test
  void nonTcpAndGarbageAreRejectedNotThrown() {
    TcpPacket p = new TcpPacket();
    byte[] udp = ipv4(tcp(0));
    udp[9] = 17;
    assertThat(PacketDecoder.decode(frame(101, new byte[0], udp), p)).isFalse();
    assertThat(PacketDecoder.decode(frame(101, new byte[0], new byte[] {0x45}), p)).isFalse();
    assertThat(PacketDecoder.decode(frame(147, new byte[0], new byte[40]), p)).isFalse();
  }
}
