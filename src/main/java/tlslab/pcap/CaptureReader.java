package tlslab.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tlslab.common.LabException;

/**
 * Streams frames from a classic pcap or a pcapng file, in either byte order, with micro- or
 * nanosecond timestamps (pcap magic a1b2c3d4 / a1b23c4d; pcapng if_tsresol). It parses the bytes
 * itself (no libpcap): fast, and a damaged file becomes a {@link #problem()} note instead of an
 * exception. Only a file that is not a capture at all throws ({@link LabException} BAD_INPUT).
 *
 * <p>Formats: pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html) and pcapng
 * (draft-ietf-opsawg-pcapng): section header, interface description, enhanced and simple packet
 * blocks, Decryption Secrets Blocks (keys stored in the file, handed to {@link
 * #onSecrets(Consumer)} as they are read, before the packets that follow them) and Interface
 * Statistics Blocks (the capturing program's own counters, {@link #statistics()}); other blocks are
 * skipped.
 */
public final class CaptureReader implements Closeable {
  /** Largest frame we accept; larger length fields mean a corrupt file. */
  static final int MAX_FRAME = 262144 + 1024;

  /** Largest Decryption Secrets Block we accept (a key log of some 100 000 sessions). */
  static final int MAX_SECRETS_BLOCK = 32 << 20;

  private final InputStream in;
  private byte[] buf = new byte[1 << 20];
  private int pos;
  private int lim;
  private boolean eof;
  private final boolean pcapng;
  private boolean bigEndian;
  private boolean nanos;
  private int linkType;
  private long frameNo;
  private String problem;
  // pcapng interfaces: link type and timestamp units per second
  private int[] ifLink = new int[4];
  private long[] ifUnits = new long[4];
  private int ifCount;
  private final List<DecryptionSecrets> secrets = new ArrayList<>();
  private final List<InterfaceStatistics> statistics = new ArrayList<>();
  private Consumer<DecryptionSecrets> secretsListener = s -> {};

  private CaptureReader(InputStream in, String name) {
    this.in = in;
    fill(24);
    if (lim - pos < 4)
      throw LabException.badInput(name + ": not a pcap or pcapng capture (too short)");
    int m = be32(pos);
    switch (m) {
      case 0xa1b2c3d4 -> init(false, false, true, name);
      case 0xd4c3b2a1 -> init(false, false, false, name);
      case 0xa1b23c4d -> init(false, true, true, name);
      case 0x4d3cb2a1 -> init(false, true, false, name);
      case 0x0a0d0d0a -> {
        pcapng = true;
        readShbByteOrder(name);
        return;
      }
      default ->
          throw LabException.badInput(
              name + ": not a pcap or pcapng capture (magic " + String.format("%08x", m) + ")");
    }
    pcapng = false;
  }

  private void init(boolean ng, boolean ns, boolean be, String name) {
    if (lim - pos < 24) throw LabException.badInput(name + ": pcap header truncated");
    bigEndian = be;
    nanos = ns;
    linkType = i32(pos + 20) & 0xffff;
    pos += 24;
  }

  private void readShbByteOrder(String name) {
    if (lim - pos < 12) throw LabException.badInput(name + ": pcapng header truncated");
    int bom = be32(pos + 8);
    if (bom == 0x1a2b3c4d) bigEndian = true;
    else if (bom == 0x4d3c2b1a) bigEndian = false;
    else throw LabException.badInput(name + ": pcapng section header has a bad byte-order magic");
  }

  /** Opens a capture file; BAD_INPUT if it is missing, unreadable or not a capture. */
  public static CaptureReader open(Path file) {
    try {
      return new CaptureReader(Files.newInputStream(file), file.toString());
    } catch (NoSuchFileException e) {
      throw LabException.badInput(file + ": no such file");
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read: " + e.getMessage());
    }
  }

  /** Reads from a stream (tests, pipes). */
  public static CaptureReader of(InputStream in, String name) {
    return new CaptureReader(in, name);
  }

  /** "pcap" or "pcapng". */
  public String format() {
    return pcapng ? "pcapng" : "pcap";
  }

  /**
   * Why reading stopped early (truncated file, impossible length), or null. The frames before the
   * damage are still delivered.
   */
  public String problem() {
    return problem;
  }

  /**
   * Called with each Decryption Secrets Block as it is read, i.e. before the frames that follow it
   * in the file (Wireshark applies them the same way). Blocks already read are replayed first.
   */
  public void onSecrets(Consumer<DecryptionSecrets> listener) {
    secretsListener = listener;
    for (DecryptionSecrets s : secrets) listener.accept(s);
  }

  /** The Decryption Secrets Blocks read so far, in file order. */
  public List<DecryptionSecrets> secrets() {
    return List.copyOf(secrets);
  }

  /**
   * The Interface Statistics Blocks read so far, in file order (pcapng; a capturing program writes
   * them at the end, so they are all known once {@link #next} has returned false).
   */
  public List<InterfaceStatistics> statistics() {
    return List.copyOf(statistics);
  }

  /**
   * The last Interface Statistics Block of each interface read so far: its counters run from the
   * start of the capture, so a later block replaces an earlier one (dumpcap may write one now and
   * then, and one at the end); adding them up would count the same drops twice.
   */
  public List<InterfaceStatistics> finalStatistics() {
    java.util.Map<Integer, InterfaceStatistics> last = new java.util.LinkedHashMap<>();
    statistics.forEach(s -> last.put(s.interfaceId(), s));
    return List.copyOf(last.values());
  }

  /** Packets the capturing program said it lost before the file, by {@link #finalStatistics}. */
  public long droppedBeforeFile() {
    return finalStatistics().stream().mapToLong(InterfaceStatistics::dropped).sum();
  }

  /** Fills {@code f} with the next frame; false at the end of the file (or of readable data). */
  public boolean next(Frame f) {
    return pcapng ? nextNg(f) : nextPcap(f);
  }

  private boolean nextPcap(Frame f) {
    if (!fill(16)) return endOrTruncated(16, "frame header");
    long sec = i32(pos) & 0xffffffffL;
    long frac = i32(pos + 4) & 0xffffffffL;
    int incl = i32(pos + 8);
    int orig = i32(pos + 12);
    if (incl < 0 || incl > MAX_FRAME) {
      problem =
          String.format(
              "frame %d: impossible captured length %d at file offset of frame header; stopped",
              frameNo + 1, incl);
      return false;
    }
    if (!fill(16 + incl)) return endOrTruncated(16 + incl, "frame data");
    f.number = ++frameNo;
    f.timeNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
    f.linkType = linkType;
    f.data = buf;
    f.offset = pos + 16;
    f.capturedLength = incl;
    f.wireLength = Math.max(orig, incl);
    pos += 16 + incl;
    return true;
  }

  private boolean nextNg(Frame f) {
    while (true) {
      if (!fill(12)) return endOrTruncated(12, "block header");
      int type = i32(pos);
      int len = i32(pos + 4);
      if (type == 0x0a0d0d0a) {
        // A new section may switch byte order (pcapng 4.1); interfaces restart.
        int bom = be32(pos + 8);
        if (bom == 0x1a2b3c4d) bigEndian = true;
        else if (bom == 0x4d3c2b1a) bigEndian = false;
        else {
          problem = "section header with a bad byte-order magic; stopped";
          return false;
        }
        len = i32(pos + 4);
        ifCount = 0;
      }
      int max = type == 10 ? MAX_SECRETS_BLOCK : MAX_FRAME + 64;
      if (len < 12 || (len & 3) != 0 || len > max) {
        problem = "pcapng block with impossible length " + len + "; stopped";
        return false;
      }
      if (!fill(len)) return endOrTruncated(len, "block");
      int trailer = i32(pos + len - 4);
      if (trailer != len) {
        // pcapng 3.1: the length is repeated at the end of the block. A leading length that lies
        // would swallow the blocks after it (packets lost with no sign): stop and say so, as
        // Wireshark does ("total block lengths ... don't match").
        problem =
            String.format(
                "pcapng block after frame %d says %d bytes at its start and %d at its end; stopped",
                frameNo, len, trailer);
        return false;
      }
      int body = pos + 8;
      int bodyEnd = pos + len - 4;
      int options =
          switch (type) {
            case 0x0a0d0d0a -> body + 16;
            case 1 -> body + 8;
            case 6 -> body + 20 + (bodyEnd - body >= 20 ? (i32(body + 12) + 3) & ~3 : 0);
            default -> -1;
          };
      if (options >= 0 && options <= bodyEnd && !optionsFit(options, bodyEnd)) {
        // Wireshark stops here too ("Not enough data to handle option"): the block is damaged.
        problem =
            String.format(
                "pcapng block after frame %d has an option longer than the block; stopped",
                frameNo);
        return false;
      }
      switch (type) {
        case 1 -> readIdb(body, bodyEnd);
        case 6, 2 -> {
          if (bodyEnd - body < 20) {
            problem =
                "packet block "
                    + (frameNo + 1)
                    + " is "
                    + len
                    + " bytes, too short for its own header; stopped";
            return false;
          }
          int iface = type == 6 ? i32(body) : (bigEndian ? u16be(body) : u16le(body));
          long hi = i32(body + 4) & 0xffffffffL;
          long lo = i32(body + 8) & 0xffffffffL;
          int cap = i32(body + 12);
          int orig = i32(body + 16);
          // Compared by subtraction: body + 20 + cap overflows an int for a cap near 2^31.
          if (cap < 0 || cap > bodyEnd - body - 20) {
            problem =
                "packet block "
                    + (frameNo + 1)
                    + " claims "
                    + cap
                    + " bytes in a "
                    + len
                    + "-byte block; stopped";
            return false;
          }
          if (!knownInterface(iface)) return false;
          fillFrame(f, iface, (hi << 32) | lo, body + 20, cap, orig);
          pos += len;
          return true;
        }
        case 3 -> {
          if (bodyEnd - body < 4) {
            problem =
                "simple packet block "
                    + (frameNo + 1)
                    + " is "
                    + len
                    + " bytes, too short for its own header; stopped";
            return false;
          }
          int orig = i32(body);
          int cap = Math.min(Math.max(orig, 0), bodyEnd - body - 4);
          if (!knownInterface(0)) return false;
          fillFrame(f, 0, -1, body + 4, cap, orig);
          pos += len;
          return true;
        }
        case 10 -> {
          if (!readDsb(body, bodyEnd)) return false;
        }
        case 5 -> readIsb(body, bodyEnd);
        default -> {
          // name resolution, custom blocks...: not needed for labels
        }
      }
      pos += len;
    }
  }

  /**
   * A packet block names its interface by index into the section's Interface Description Blocks
   * (pcapng 4.3): without that block its link type is unknown, so its bytes cannot be read. Stop
   * and say so, as Wireshark does ("interface index ... is not less than section interface count").
   */
  private boolean knownInterface(int iface) {
    if (iface >= 0 && iface < ifCount) return true;
    problem =
        String.format(
            "packet block %d names interface %d, but the section describes %s; stopped",
            frameNo + 1,
            Integer.toUnsignedLong(iface),
            ifCount == 0
                ? "none"
                : ifCount == 1 ? "only interface 0" : "interfaces 0-" + (ifCount - 1));
    return false;
  }

  private void fillFrame(Frame f, int iface, long ts, int off, int cap, int orig) {
    f.number = ++frameNo;
    int link = ifLink[iface];
    long units = ifUnits[iface];
    f.linkType = link;
    if (ts < 0) f.timeNanos = 0;
    else if (units == 1_000_000_000L) f.timeNanos = ts;
    else if (units == 1_000_000L) f.timeNanos = ts * 1000;
    else f.timeNanos = (long) (ts * (1e9 / units));
    f.data = buf;
    f.offset = off;
    f.capturedLength = cap;
    f.wireLength = Math.max(orig, cap);
  }

  /** Decryption Secrets Block: Secrets Type, Secrets Length, Secrets Data (pcapng 4.7). */
  private boolean readDsb(int body, int end) {
    int type = end - body >= 8 ? i32(body) : 0;
    int n = end - body >= 8 ? i32(body + 4) : -1;
    if (n < 0 || n > end - body - 8) {
      problem =
          "decryption secrets block after frame "
              + frameNo
              + " claims "
              + n
              + " bytes in a "
              + (end - body + 12)
              + "-byte block; stopped";
      return false;
    }
    DecryptionSecrets s =
        new DecryptionSecrets(type, java.util.Arrays.copyOfRange(buf, body + 8, body + 8 + n));
    secrets.add(s);
    secretsListener.accept(s);
    return true;
  }

  /**
   * Interface Statistics Block (pcapng 4.6): Interface ID, Timestamp (high, low), then options,
   * each a 64-bit counter: isb_ifrecv (4), isb_ifdrop (5), isb_filteraccept (6), isb_osdrop (7),
   * isb_usrdeliv (8). A block too short for its fixed part is ignored; an option that overruns the
   * block ends the options (the counters read so far are kept).
   */
  private void readIsb(int body, int end) {
    if (end - body < 12) return;
    int iface = i32(body);
    long[] counter = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
    int o = body + 12;
    while (o + 4 <= end) {
      int code = bigEndian ? u16be(o) : u16le(o);
      int olen = bigEndian ? u16be(o + 2) : u16le(o + 2);
      if (code == 0 || o + 4 + olen > end) break;
      if (code >= 4 && code <= 8 && olen == 8) {
        long a = i32(o + 4) & 0xffffffffL;
        long b = i32(o + 8) & 0xffffffffL;
        // A 64-bit option in the section's byte order: low word first when little-endian.
        counter[code] = bigEndian ? (a << 32) | b : (b << 32) | a;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    statistics.add(
        new InterfaceStatistics(iface, counter[4], counter[5], counter[6], counter[7], counter[8]));
  }

  /** Options (pcapng 3.5): code, length, value padded to 4; true if none runs past {@code end}. */
  private boolean optionsFit(int o, int end) {
    while (o + 4 <= end) {
      int code = bigEndian ? u16be(o) : u16le(o);
      int olen = bigEndian ? u16be(o + 2) : u16le(o + 2);
      if (code == 0) return true;
      if (olen > end - o - 4) return false;
      o += 4 + ((olen + 3) & ~3);
    }
    return true;
  }

  private void readIdb(int body, int end) {
    if (end - body < 8) return;
    int link = bigEndian ? u16be(body) : u16le(body);
    long units = 1_000_000L;
    int o = body + 8;
    while (o + 4 <= end) {
      int code = bigEndian ? u16be(o) : u16le(o);
      int olen = bigEndian ? u16be(o + 2) : u16le(o + 2);
      if (code == 0) break;
      if (code == 9 && olen >= 1 && o + 5 <= end) {
        int r = buf[o + 4] & 0xff;
        // if_tsresol: high bit clear = 10^-n, set = 2^-n seconds (pcapng 4.2)
        units =
            (r & 0x80) == 0 ? (long) Math.pow(10, Math.min(r, 18)) : 1L << Math.min(r & 0x7f, 62);
      }
      o += 4 + ((olen + 3) & ~3);
    }
    if (ifCount == ifLink.length) {
      ifLink = java.util.Arrays.copyOf(ifLink, ifCount * 2);
      ifUnits = java.util.Arrays.copyOf(ifUnits, ifCount * 2);
    }
    ifLink[ifCount] = link;
    ifUnits[ifCount] = units;
    ifCount++;
  }

  private boolean endOrTruncated(int wanted, String what) {
    if (lim - pos > 0) {
      problem =
          String.format(
              "file ends inside a %s (frame %d: %d of %d bytes present); the rest was not read",
              what, frameNo + 1, lim - pos, wanted);
    }
    return false;
  }

  /** Ensures {@code n} bytes are buffered at {@code pos}; false at end of input. */
  private boolean fill(int n) {
    if (lim - pos >= n) return true;
    if (eof) return false;
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    if (n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(n, buf.length * 2));
    try {
      while (lim < n) {
        int r = in.read(buf, lim, buf.length - lim);
        if (r < 0) {
          eof = true;
          return false;
        }
        lim += r;
      }
    } catch (IOException e) {
      problem = "read error: " + e.getMessage();
      eof = true;
      return false;
    }
    return true;
  }

  private int i32(int o) {
    return bigEndian ? be32(o) : le32(o);
  }

  private int be32(int o) {
    return ((buf[o] & 0xff) << 24)
        | ((buf[o + 1] & 0xff) << 16)
        | ((buf[o + 2] & 0xff) << 8)
        | (buf[o + 3] & 0xff);
  }

  private int le32(int o) {
    return (buf[o] & 0xff)
        | ((buf[o + 1] & 0xff) << 8)
        | ((buf[o + 2] & 0xff) << 16)
        | ((buf[o + 3] & 0xff) << 24);
  }

  private int u16be(int o) {
    return ((buf[o] & 0xff) << 8) | (buf[o + 1] & 0xff);
  }

  private int u16le(int o) {
    return (buf[o] & 0xff) | ((buf[o + 1] & 0xff) << 8);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // closing a read-only stream: nothing to recover
    }
  }
}
