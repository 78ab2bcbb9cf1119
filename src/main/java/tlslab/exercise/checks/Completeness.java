package tlslab.exercise.checks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tlslab.capture.CaptureStats;
import tlslab.pcap.InterfaceStatistics;

/**
 * How complete the file is, as far as the lab can tell: the capturing program's own counters (in
 * {@code FILE.stats} and, in a pcapng, its Interface Statistics Blocks) and what the file itself
 * shows, its TCP sequence numbers.
 *
 * <p>The counters are the capturing program's word, kept in files the student hands in and could
 * edit: a {@code .stats} changed to say "0 dropped", or deleted, hides nothing the file itself
 * shows. The TCP sequence numbers do (RFC 9293 §3.4): each byte a side sends has its number, and
 * each acknowledgment names the next byte expected, so a segment that starts beyond the bytes seen
 * ("previous segment not captured", as tshark marks it) or an acknowledgment of bytes never seen
 * ("ACKed unseen segment") shows data missing from the file, whoever says otherwise, and whether it
 * was lost by the kernel or cut out with editcap afterwards. What no capture can show: a segment
 * lost at the very end with nothing after it to acknowledge it, a lost segment without data (a bare
 * ACK), a whole connection that left nothing behind.
 *
 * @param stats what {@code lab capture} recorded in {@code FILE.stats}, empty when there is none
 *     (made by another tool, or the sidecar was not handed in)
 * @param statsProblem why {@code FILE.stats} could not be believed (not one the lab wrote, or it
 *     contradicts itself), else null
 * @param cutFrames frames captured shorter than they were on the wire (a small {@code --snaplen}):
 *     their bytes are lost, so TLS records in them cannot be read
 * @param inFile the last Interface Statistics Block of each interface (pcapng), as the program that
 *     made the file (lab capture, dumpcap) wrote it; empty for pcap or when there is none
 * @param frames the frames the file holds
 * @param holes frames whose TCP sequence or acknowledgment numbers show bytes missing before them
 *     (tshark's tcp.analysis.lost_segment and tcp.analysis.ack_lost_segment)
 * @param firstHole the number of the first such frame, 0 when there is none
 */
record Completeness(
    Optional<CaptureStats> stats,
    String statsProblem,
    long cutFrames,
    List<InterfaceStatistics> inFile,
    long frames,
    long holes,
    long firstHole) {
  static final Completeness UNKNOWN =
      new Completeness(Optional.empty(), null, 0, List.of(), 0, 0, 0);

  /** As read from the counters alone, before the file's frames are. */
  Completeness(Optional<CaptureStats> stats, String statsProblem) {
    this(stats, statsProblem, 0, List.of(), 0, 0, 0);
  }

  /**
   * Packets lost between the wire and the file (kernel, interface, lab, or removed from the file
   * afterwards), 0 when not known.
   */
  long lost() {
    return Math.max(stats.map(CaptureStats::dropped).orElse(0L), droppedInFile())
        + Math.max(0, written() - frames);
  }

  /** Packets the file's own statistics blocks say were dropped (isb_ifdrop + isb_osdrop). */
  long droppedInFile() {
    return inFile.stream().mapToLong(InterfaceStatistics::dropped).sum();
  }

  /**
   * How many packets the capturing program says it wrote, by record: {@code FILE.stats} ("lab
   * capture wrote N (FILE.stats)") and isb_usrdeliv of the file's own statistics blocks. Both are
   * kept: a record edited to fit a changed file is caught by the other.
   */
  private Map<String, Long> writtenCounts(Path file) {
    Map<String, Long> out = new LinkedHashMap<>();
    stats.ifPresent(
        s ->
            out.put(
                "lab capture wrote "
                    + s.written()
                    + " ("
                    + CaptureStats.sidecar(file).getFileName()
                    + ")",
                s.written()));
    if (!inFile.isEmpty() && inFile.stream().allMatch(s -> s.delivered() >= 0)) {
      long n = inFile.stream().mapToLong(InterfaceStatistics::delivered).sum();
      out.put("its own Interface Statistics Block says " + n + " were written", n);
    }
    return out;
  }

  /** The most packets any record says were written, -1 when none says. */
  long written() {
    return writtenCounts(Path.of("-")).values().stream()
        .mapToLong(Long::longValue)
        .max()
        .orElse(-1);
  }

  /**
   * Why the file is not the one its capturing program wrote: it holds more packets than that
   * program wrote (in {@code FILE.stats}, or isb_usrdeliv in the file itself), so packets were
   * added after the capture, from some other session. Null when not. (Fewer packets than written
   * are packets lost: {@link #lost()}.)
   */
  String added(Path file) {
    for (Map.Entry<String, Long> e : writtenCounts(file).entrySet()) {
      if (frames > e.getValue()) {
        return file.getFileName()
            + " holds "
            + frames
            + " packets, but "
            + e.getKey()
            + ": packets were added after the capture (or the file is another capture than the"
            + " one that record describes)";
      }
    }
    return null;
  }

  /** True when something is known to be missing from the file. */
  boolean incomplete() {
    return lost() > 0 || cutFrames > 0 || statsProblem != null || holes > 0;
  }

  /** What is missing, in a sentence for the student; "" when nothing is known to be. */
  String missing(Path file) {
    List<String> parts = new ArrayList<>();
    if (statsProblem != null) {
      parts.add(statsProblem);
    }
    stats
        .filter(s -> !s.complete())
        .ifPresent(
            s ->
                parts.add(
                    file.getFileName()
                        + " lost "
                        + s.dropped()
                        + " packet"
                        + (s.dropped() == 1 ? "" : "s")
                        + " while it was made ("
                        + s.summary()
                        + ", from "
                        + CaptureStats.sidecar(file).getFileName()
                        + ")"));
    for (Map.Entry<String, Long> e : writtenCounts(file).entrySet()) {
      if (e.getValue() > frames) {
        parts.add(
            file.getFileName()
                + " holds "
                + frames
                + " packets, but "
                + e.getKey()
                + ": "
                + (e.getValue() - frames)
                + " were removed from the file after the capture");
        break;
      }
    }
    long inside = droppedInFile();
    if (inside > 0 && inside > stats.map(CaptureStats::dropped).orElse(0L)) {
      parts.add(
          "the capture's own statistics (pcapng Interface Statistics Block) say "
              + inside
              + " packet"
              + (inside == 1 ? " was" : "s were")
              + " dropped while "
              + file.getFileName()
              + " was made");
    }
    if (holes > 0) {
      parts.add(
          "its own TCP sequence numbers show bytes missing before "
              + holes
              + " frame"
              + (holes == 1 ? "" : "s")
              + " (from frame "
              + firstHole
              + ": \"previous segment not captured\" or \"ACKed unseen segment\", as tshark"
              + " marks them), lost while it was made or cut out of the file afterwards"
              + (stats.filter(CaptureStats::complete).isPresent()
                  ? ", whatever " + CaptureStats.sidecar(file).getFileName() + " says"
                  : ""));
    }
    if (cutFrames > 0) {
      parts.add(
          cutFrames
              + " frame"
              + (cutFrames == 1 ? " was" : "s were")
              + " captured shorter than sent (snaplen): their TLS bytes are lost");
    }
    return String.join("; ", parts);
  }
}
