package tlslab.wire;

import java.util.Arrays;

/**
 * The byte ranges of a stream received so far, out of order allowed: sorted, merged {@code [start,
 * end)} pairs. TCP reassembly (annotate) and QUIC CRYPTO frames (quic) both ask the same two
 * questions of it: how far the stream is complete from its start, and whether bytes lie beyond a
 * gap.
 */
public final class ReceivedRanges {
  private int[] ranges = new int[8];
  private int count;

  /** Records that bytes {@code [start, end)} arrived, merging with what touches or overlaps. */
  public void add(int start, int end) {
    if (count * 2 + 2 > ranges.length) ranges = Arrays.copyOf(ranges, ranges.length * 2);
    int i = 0;
    while (i < count && ranges[2 * i] < start) i++;
    System.arraycopy(ranges, 2 * i, ranges, 2 * i + 2, 2 * (count - i));
    ranges[2 * i] = start;
    ranges[2 * i + 1] = end;
    count++;
    int w = 0;
    for (int r = 1; r < count; r++) {
      if (ranges[2 * r] <= ranges[2 * w + 1]) {
        ranges[2 * w + 1] = Math.max(ranges[2 * w + 1], ranges[2 * r + 1]);
      } else {
        w++;
        ranges[2 * w] = ranges[2 * r];
        ranges[2 * w + 1] = ranges[2 * r + 1];
      }
    }
    count = w + 1;
  }

  /** Forgets every range. */
  public void clear() {
    count = 0;
  }

  /** Bytes received from offset 0 without a gap. */
  public int contiguous() {
    return count > 0 && ranges[0] == 0 ? ranges[1] : 0;
  }

  /** True when some bytes lie beyond a gap (not all received bytes are in the contiguous start). */
  public boolean hasGap() {
    return count > 1 || (count == 1 && ranges[0] != 0);
  }
}
