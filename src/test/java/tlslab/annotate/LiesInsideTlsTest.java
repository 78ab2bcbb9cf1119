package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lengths inside TLS that lie, as {@code lab bench fuzz} found them, each rebuilt from one of the
 * lab's own captures. The labels stay Wireshark's (tshark 4.0 shows the same rows), but what they
 * hide is said: a record that claims more bytes than ever came, a handshake header too long for its
 * record (Wireshark's "Encrypted Handshake Message" before any Change Cipher Spec), a hello with
 * bytes after its extensions, a key log with junk lines.
 */
class LiesInsideTlsTest {
  private static final Path CAPTURES = Path.of("src/test/resources/captures");

  @TempDir Path dir;

  /** Offset of the TCP payload of frame {@code n} (1-based) of a little-endian Ethernet pcap. */
  static int payload(byte[] pcap, int n) {
    ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
    int o = 24;
    for (int i = 1; i < n; i++) o += 16 + b.getInt(o + 8);
    int ip = o + 16 + 14;
    int tcp = ip + (pcap[ip] & 0x0f) * 4;
    return tcp + ((pcap[tcp + 12] & 0xf0) >> 4) * 4;
  }

  private record Run(String table, List<ConnectionFacts> facts) {}

  private Run annotate(byte[] pcap, KeyMaterial keys) throws IOException {
    Path f = dir.resolve("mutant.pcap");
    Files.write(f, pcap);
    StringWriter sw = new StringWriter();
    AnnotateReport.run(
        f, keys, OutputFormat.TABLE, AnnotateReport.View.plain(true), new PrintWriter(sw));
    List<ConnectionFacts> facts = new ArrayList<>();
    Annotator an = new Annotator(keys, true);
    try (tlslab.pcap.CaptureReader r = tlslab.pcap.CaptureReader.open(f)) {
      tlslab.pcap.Frame fr = new tlslab.pcap.Frame();
      while (r.next(fr)) an.annotate(fr);
    }
    facts.addAll(an.facts());
    return new Run(sw.toString(), facts);
  }

  private static String row(String table, int frame) {
    String head = String.format("%5d ", frame);
    return table.lines().filter(l -> l.startsWith(head)).findFirst().orElseThrow();
  }

  /**
   * The client's first Application Data record claims 65535 bytes: Wireshark waits for them, and
   * that record and the client's later Encrypted Alert become "[TCP segment of a reassembled PDU]".
   * The capture ends before they come; the summary says so instead of losing the alert silently.
   */
  @Test
  void aRecordThatClaimsMoreThanTheCaptureHoldsIsSaidAtTheEnd() throws IOException {
    byte[] pcap = Files.readAllBytes(CAPTURES.resolve("tls12-ecdhe-gcm.pcap"));
    int p = payload(pcap, 11);
    assertThat(pcap[p]).isEqualTo((byte) 23);
    pcap[p + 3] = (byte) 0xff;
    pcap[p + 4] = (byte) 0xff;
    Run r = annotate(pcap, KeyMaterial.none());
    assertThat(row(r.table(), 11)).endsWith("TCP         113  [TCP segment of a reassembled PDU]");
    assertThat(row(r.table(), 15)).contains("TCP").doesNotContain("Encrypted Alert");
    assertThat(r.facts().get(0).problems())
        .containsExactly(
            "frame 11: the capture ends inside a TLS record from the client: 78 of the 65540 bytes"
                + " it needs were captured, so that record and anything the client sent after it"
                + " are not shown");
    assertThat(r.table()).contains("   problem: frame 11: the capture ends inside a TLS record");
  }

  /**
   * A Client Hello whose handshake header claims 16 MB: Wireshark's heuristic labels it "Encrypted
   * Handshake Message". Nothing is encrypted before the client's Change Cipher Spec: the row says
   * the message is malformed, and the note does not say keys would read it.
   */
  @Test
  void aHandshakeHeaderTooLongForItsRecordIsMalformedNotEncrypted() throws IOException {
    byte[] pcap = Files.readAllBytes(CAPTURES.resolve("tls12-ecdhe-gcm.pcap"));
    int p = payload(pcap, 4) + 5;
    assertThat(pcap[p]).as("Client Hello").isEqualTo((byte) 1);
    pcap[p + 1] = (byte) 0xff;
    pcap[p + 2] = (byte) 0xff;
    pcap[p + 3] = (byte) 0xff;
    Run r = annotate(pcap, KeyMaterial.none());
    String table = r.table();
    assertThat(row(table, 4)).endsWith("Encrypted Handshake Message");
    assertThat(table)
        .contains(
            "PROBLEM: malformed handshake record: its header reads as a Client Hello of 16777215"
                + " bytes, in a record of 131 bytes")
        .contains("this is a malformed handshake message, not an encrypted one");
    String note4 =
        table.substring(table.indexOf(row(table, 4)), table.indexOf(String.format("%5d ", 5)));
    assertThat(note4).doesNotContain("cannot read it without keys");
    // The unchanged capture has no such problem: the check fires on the lie only.
    Run clean =
        annotate(Files.readAllBytes(CAPTURES.resolve("tls12-ecdhe-gcm.pcap")), KeyMaterial.none());
    assertThat(clean.table()).doesNotContain("malformed");
    assertThat(clean.facts().get(0).problems()).isEmpty();
  }

  /** A Hello Retry Request whose extensions length says 0: its 12 bytes of extensions unread. */
  @Test
  void aHelloWithBytesAfterItsExtensionsSaysSo() throws IOException {
    byte[] pcap = Files.readAllBytes(CAPTURES.resolve("tls13-hello-retry-request.pcap"));
    int p = payload(pcap, 6) + 5; // the server's first record: the Hello Retry Request
    assertThat(pcap[p]).isEqualTo((byte) 2);
    int sid = pcap[p + 4 + 2 + 32] & 0xff;
    int ext = p + 4 + 2 + 32 + 1 + sid + 2 + 1;
    assertThat(((pcap[ext] & 0xff) << 8) | (pcap[ext + 1] & 0xff)).isEqualTo(12);
    pcap[ext + 1] = 0;
    Run r = annotate(pcap, KeyMaterial.none());
    assertThat(r.facts().get(0).problems())
        .containsExactly(
            "frame 6: Server Hello has 12 bytes after its extensions, which were not read");
  }

  /**
   * A key log with junk: a comment that is not ASCII (it failed the whole file: "Input length =
   * 1"), a line cut short, a secret of the wrong length, Windows line ends, a byte-order mark. The
   * good lines are used, the bad ones counted.
   */
  @Test
  void aKeyLogWithJunkLinesKeepsItsGoodLinesAndCountsTheRest() throws IOException {
    String random = "0a".repeat(32);
    String master = "5b".repeat(48);
    String log =
        "\u00ef\u00bb\u00bf# key log, caf\u00e9\r\n"
            + "\r\n"
            + "CLIENT_RANDOM "
            + random
            + " "
            + master
            + "\r\n"
            + "CLIENT_RANDOM "
            + "0b".repeat(32)
            + " 5b5b\r\n"
            + "CLIENT_RANDOM 0c0c0c\r\n"
            + "SERVER_TRAFFIC_SECRET_0 "
            + "0d".repeat(32)
            + " "
            + "6c".repeat(32)
            + "\r\n";
    Path f = dir.resolve("junk.keylog");
    Files.write(f, log.getBytes(StandardCharsets.ISO_8859_1));
    KeyMaterial k = KeyMaterial.none().withKeyLog(f);
    assertThat(k.secret("CLIENT_RANDOM", java.util.HexFormat.of().parseHex(random)))
        .isEqualTo(java.util.HexFormat.of().parseHex(master));
    assertThat(
            k.secret("SERVER_TRAFFIC_SECRET_0", java.util.HexFormat.of().parseHex("0d".repeat(32))))
        .hasSize(32);
    assertThat(k.secret("CLIENT_RANDOM", java.util.HexFormat.of().parseHex("0b".repeat(32))))
        .as("a 2-byte master secret is no master secret")
        .isNull();
    assertThat(k.warnings())
        .containsExactly(
            f
                + ": 2 lines are not NSS key log lines (LABEL CLIENT_RANDOM SECRET, in hex) and were"
                + " skipped (lines 4, 5)");
  }

  /** The same, stored in a pcapng Decryption Secrets Block. */
  @Test
  void junkInAKeyLogStoredInTheCaptureIsCountedToo() {
    KeyMaterial k = KeyMaterial.none();
    int good =
        k.addKeyLogFromCapture(
            ("CLIENT_RANDOM " + "0a".repeat(32) + " " + "5b".repeat(48) + "\nnot a key line\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(good).isEqualTo(1);
    assertThat(k.warnings())
        .containsExactly(
            "the key log stored in the capture (Decryption Secrets Block): 1 line is not an NSS"
                + " key log line (LABEL CLIENT_RANDOM SECRET, in hex) and was skipped (line 2)");
  }
}
