package tlslab.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a capture file: classic pcap, or pcapng with the blocks Wireshark needs to open a TLS
 * capture decrypted and to show what the capture lost.
 *
 * <p>The formats are small enough to write by hand, and that is deliberate: there is no maintained
 * Java pcapng writer on Maven Central, libpcap (through pcap4j) writes only classic pcap, and a
 * student reading this class sees the whole file format in one page.
 *
 * <ul>
 *   <li>pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html): a 24-byte header, then per
 *       frame a 16-byte record header (seconds, microseconds, captured and original length).
 *   <li>pcapng (RFC draft-ietf-opsawg-pcapng): a Section Header Block, one Interface Description
 *       Block, then Enhanced Packet Blocks; a Decryption Secrets Block (type 0x0000000A, secrets
 *       type 0x544c534b "TLSK": NSS key log lines) carries the TLS keys, and an Interface
 *       Statistics Block (type 5) carries libpcap's counters, isb_ifrecv and isb_ifdrop, which
 *       Wireshark shows as "Dropped packets" in Statistics &gt; Capture File Properties.
 * </ul>
 *
 * <p>Everything is written little-endian (pcapng readers honour the section's byte-order magic;
 * pcap readers the header's magic). Timestamps are microseconds, the default resolution of both
 * formats. Not thread-safe: one capture thread writes.
 */
public final class CaptureWriter implements Closeable {
  /** Decryption Secrets Block secrets type for TLS key logs ("TLSK"). */
  public static final int SECRETS_TLS_KEY_LOG = 0x544c534b;

  /** The two file formats. */
  public enum Format {
    PCAP,
    PCAPNG
  }

  /** libpcap's counters at the end of a capture (pcap_stats), for the statistics block. */
  public record Statistics(
      long startMicros, long endMicros, long received, long dropped, long delivered) {}

  private final OutputStream out;
  private final Format format;
  private final ByteBuffer scratch = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
  private long frames;

  private CaptureWriter(OutputStream out, Format format) {
    this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 20);
    this.format = format;
  }

  /**
   * Starts a file: writes its header (pcap) or its section header and interface description
   * (pcapng).
   *
   * @param linkType LINKTYPE of every frame (1 Ethernet, as libpcap reports for Linux lo)
   * @param snaplen the capture's snapshot length
   * @param interfaceName written in pcapng's if_name option (null for none)
   */
  public static CaptureWriter open(
      OutputStream out, Format format, int linkType, int snaplen, String interfaceName)
      throws IOException {
    CaptureWriter w = new CaptureWriter(out, format);
    if (format == Format.PCAP) {
      ByteBuffer b = w.buffer(24);
      b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
      b.putInt(snaplen).putInt(linkType);
      w.flushScratch();
    } else {
      w.sectionHeader();
      w.interfaceDescription(linkType, snaplen, interfaceName);
    }
    return w;
  }

  /** The format this writer produces. */
  public Format format() {
    return format;
  }

  /** Frames written so far. */
  public long frames() {
    return frames;
  }

  /**
   * Writes one frame.
   *
   * @param micros capture time, microseconds since the epoch
   * @param data the captured bytes, {@code data[0..length)}
   * @param originalLength the frame's length on the wire (at least {@code length})
   */
  public void frame(long micros, byte[] data, int length, int originalLength) throws IOException {
    int orig = Math.max(originalLength, length);
    if (format == Format.PCAP) {
      ByteBuffer b = buffer(16);
      b.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000));
      b.putInt(length).putInt(orig);
      flushScratch();
      out.write(data, 0, length);
    } else {
      int padded = pad4(length);
      int total = 32 + padded;
      ByteBuffer b = buffer(28);
      b.putInt(6).putInt(total).putInt(0); // Enhanced Packet Block, interface 0
      b.putInt((int) (micros >>> 32)).putInt((int) micros);
      b.putInt(length).putInt(orig);
      flushScratch();
      out.write(data, 0, length);
      out.write(ZEROS, 0, padded - length);
      writeInt(total);
    }
    frames++;
  }

  /**
   * Writes a Decryption Secrets Block with NSS key log lines (pcapng only). Wireshark and tshark
   * apply secrets to the packets that follow the block, so it must come before the packets it
   * decrypts (docs/CAPTURE.md records the experiment).
   */
  public void secrets(String keyLogLines) throws IOException {
    requireNg("a Decryption Secrets Block");
    byte[] s = keyLogLines.getBytes(StandardCharsets.US_ASCII);
    int padded = pad4(s.length);
    int total = 20 + padded;
    ByteBuffer b = buffer(16);
    b.putInt(0x0000000a).putInt(total).putInt(SECRETS_TLS_KEY_LOG).putInt(s.length);
    flushScratch();
    out.write(s);
    out.write(ZEROS, 0, padded - s.length);
    writeInt(total);
  }

  /**
   * Writes an Interface Statistics Block (pcapng only): isb_starttime, isb_endtime, isb_ifrecv
   * (packets libpcap received), isb_ifdrop (packets lost before they reached the file: kernel drops
   * plus any the lab lost), isb_usrdeliv (packets written), and a comment saying the same in words.
   */
  public void statistics(Statistics s, String comment) throws IOException {
    requireNg("an Interface Statistics Block");
    byte[] c = comment == null ? new byte[0] : comment.getBytes(StandardCharsets.UTF_8);
    int commentOpt = c.length == 0 ? 0 : 4 + pad4(c.length);
    int options = 5 * 12 + commentOpt + 4; // five 8-byte options, comment, opt_endofopt
    int total = 8 + 12 + options + 4; // type+length, interface+timestamp, options, trailer
    ByteBuffer b = buffer(20);
    b.putInt(5).putInt(total).putInt(0);
    b.putInt((int) (s.endMicros() >>> 32)).putInt((int) s.endMicros());
    flushScratch();
    if (c.length > 0) {
      option(1, c);
    }
    option64(2, s.startMicros(), true);
    option64(3, s.endMicros(), true);
    option64(4, s.received(), false);
    option64(5, s.dropped(), false);
    option64(8, s.delivered(), false);
    writeInt(0); // opt_endofopt
    writeInt(total);
  }

  /**
   * Copies pcapng blocks written by another writer of the same format (its packets, without its
   * header) into this file, as they are.
   */
  public void copyBlocks(java.io.InputStream blocks) throws IOException {
    requireNg("copying pcapng blocks");
    blocks.transferTo(out);
  }

  /** Pushes buffered bytes to the file (the operating system has them from now on). */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private void sectionHeader() throws IOException {
    byte[] app = "TLS Lab (lab capture)".getBytes(StandardCharsets.UTF_8);
    int options = 4 + pad4(app.length) + 4;
    int total = 28 + options;
    ByteBuffer b = buffer(24);
    b.putInt(0x0a0d0d0a).putInt(total).putInt(0x1a2b3c4d);
    b.putShort((short) 1).putShort((short) 0).putLong(-1L); // version 1.0, section length unknown
    flushScratch();
    option(4, app); // shb_userappl
    writeInt(0);
    writeInt(total);
  }

  private void interfaceDescription(int linkType, int snaplen, String name) throws IOException {
    byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
    int options = (n.length == 0 ? 0 : 4 + pad4(n.length)) + 4;
    int total = 20 + options;
    ByteBuffer b = buffer(16);
    b.putInt(1).putInt(total).putShort((short) linkType).putShort((short) 0).putInt(snaplen);
    flushScratch();
    if (n.length > 0) {
      option(2, n); // if_name
    }
    writeInt(0);
    writeInt(total);
  }

  private void option(int code, byte[] value) throws IOException {
    ByteBuffer b = buffer(4);
    b.putShort((short) code).putShort((short) value.length);
    flushScratch();
    out.write(value);
    out.write(ZEROS, 0, pad4(value.length) - value.length);
  }

  /** An 8-byte option; timestamps are two 32-bit words, high first (pcapng 4.6). */
  private void option64(int code, long value, boolean timestamp) throws IOException {
    ByteBuffer b = buffer(12);
    b.putShort((short) code).putShort((short) 8);
    if (timestamp) {
      b.putInt((int) (value >>> 32)).putInt((int) value);
    } else {
      b.putLong(value);
    }
    flushScratch();
  }

  private void requireNg(String what) {
    if (format != Format.PCAPNG) {
      throw new IllegalStateException(what + " needs pcapng; this writer writes " + format);
    }
  }

  private ByteBuffer buffer(int n) {
    scratch.clear();
    scratch.limit(n);
    return scratch;
  }

  private void flushScratch() throws IOException {
    out.write(scratch.array(), 0, scratch.position());
  }

  private void writeInt(int v) throws IOException {
    buffer(4).putInt(v);
    flushScratch();
  }

  private static int pad4(int n) {
    return (n + 3) & ~3;
  }

  private static final byte[] ZEROS = new byte[4];
}
