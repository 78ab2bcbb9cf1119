package tlslab.pcap;

/**
 * One captured frame as a view into a reader's buffer. Readers reuse one instance: the bytes are
 * valid only until the next {@link CaptureReader#next(Frame)} call (copy what you keep). This keeps
 * reading a 100 MB file free of per-packet garbage.
 */
public final class Frame {
  /** 1-based frame number, as Wireshark counts. */
  public long number;

  /** Capture time in nanoseconds since the epoch. */
  public long timeNanos;

  /** Link-layer type (DLT/LINKTYPE number), e.g. 1 Ethernet, 113 Linux cooked, 101 raw IP. */
  public int linkType;

  /** Backing array; the frame is {@code data[offset .. offset + capturedLength)}. */
  public byte[] data;

  public int offset;

  /** Bytes present in the file (may be less than {@link #wireLength} with a small snaplen). */
  public int capturedLength;

  /** Bytes the frame had on the wire. */
  public int wireLength;

  /** True if the capture cut this frame short (snaplen). */
  public boolean truncated() {
    return capturedLength < wireLength;
  }

  /** Copies this frame's bytes into a new, independent Frame. */
  public Frame copy() {
    Frame f = new Frame();
    f.number = number;
    f.timeNanos = timeNanos;
    f.linkType = linkType;
    f.data = java.util.Arrays.copyOfRange(data, offset, offset + capturedLength);
    f.offset = 0;
    f.capturedLength = capturedLength;
    f.wireLength = wireLength;
    return f;
  }
}
