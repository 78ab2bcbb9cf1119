package tlslab.capture;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import tlslab.common.LabException;

/**
 * How complete a capture is: libpcap's counters (pcap_stats) next to what the lab wrote.
 *
 * <p>A capture can lose packets in two places. The kernel copies each packet into a ring buffer
 * that libpcap empties; when the buffer is full (the reader is too slow, the buffer too small) the
 * kernel drops the packet and counts it ({@code ps_drop}, "dropped by the kernel"). A network card
 * may also drop before the kernel sees the packet ({@code ps_ifdrop}, "dropped by the interface").
 * The lab itself writes every packet libpcap hands it before doing anything else, so its own count
 * ("by the lab") stays 0 unless writing failed. A capture is complete only if all three are 0.
 *
 * <p>The same facts are kept next to the capture in a small sidecar file, {@code FILE.stats}
 * ({@link #sidecar(Path)}), so that an exercise checker can tell a complete capture from one with
 * holes: {@link #readFor(Path)}. pcapng files also carry them in an Interface Statistics Block
 * (isb_ifrecv, isb_ifdrop), which Wireshark shows under Statistics &gt; Capture File Properties.
 *
 * @param written packets written to the file
 * @param received packets libpcap reports as received by the filter ({@code ps_recv})
 * @param kernelDropped packets the kernel dropped because the buffer was full ({@code ps_drop})
 * @param interfaceDropped packets the interface or driver dropped ({@code ps_ifdrop})
 * @param labDropped packets libpcap delivered that the lab failed to write
 * @param labelLinesSkipped TLS label lines not printed because the terminal was too slow (the
 *     packets are in the file; only the live printout skipped them)
 * @param packetsUnlabelled packets written but not labelled live because the labeller fell behind
 */
public record CaptureStats(
    long written,
    long received,
    long kernelDropped,
    long interfaceDropped,
    long labDropped,
    long labelLinesSkipped,
    long packetsUnlabelled) {

  /** Packets lost anywhere between the wire and the file. */
  public long dropped() {
    return kernelDropped + interfaceDropped + labDropped;
  }

  /** True if no packet was lost: the file holds everything the filter matched. */
  public boolean complete() {
    return dropped() == 0;
  }

  /**
   * One line, e.g. "1234 captured, 0 dropped by the kernel, 0 by the lab" (the interface's count
   * only when it is not 0; label lines skipped only when some were).
   */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(written).append(" captured, ").append(kernelDropped).append(" dropped by the kernel");
    if (interfaceDropped != 0) s.append(", ").append(interfaceDropped).append(" by the interface");
    s.append(", ").append(labDropped).append(" by the lab");
    if (labelLinesSkipped != 0 || packetsUnlabelled != 0) {
      s.append(" (live labels: ");
      if (labelLinesSkipped != 0) s.append(labelLinesSkipped).append(" lines skipped");
      if (labelLinesSkipped != 0 && packetsUnlabelled != 0) s.append(", ");
      if (packetsUnlabelled != 0) s.append(packetsUnlabelled).append(" packets not labelled");
      s.append("; every captured packet is in the file)");
    }
    return s.toString();
  }

  /** The sidecar file for a capture: {@code FILE.stats} next to it. */
  public static Path sidecar(Path capture) {
    return capture.resolveSibling(capture.getFileName() + ".stats");
  }

  /** The sidecar's text: {@code key=value} lines (java.util.Properties syntax). */
  String sidecarText(Path capture) {
    return String.format(
        Locale.ROOT,
        "# lab capture: how complete %s is (libpcap pcap_stats at the end of the capture)%n"
            + "file=%s%n"
            + "complete=%b%n"
            + "written=%d%n"
            + "received=%d%n"
            + "kernel_dropped=%d%n"
            + "interface_dropped=%d%n"
            + "lab_dropped=%d%n"
            + "label_lines_skipped=%d%n"
            + "packets_unlabelled=%d%n",
        capture.getFileName(),
        capture.getFileName(),
        complete(),
        written,
        received,
        kernelDropped,
        interfaceDropped,
        labDropped,
        labelLinesSkipped,
        packetsUnlabelled);
  }

  /** Writes {@link #sidecar(Path)} for {@code capture}, replacing an older one. */
  void writeSidecar(Path capture) {
    Path file = sidecar(capture);
    try {
      Files.writeString(file, sidecarText(capture), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot write (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads the completeness record {@code lab capture} left next to {@code capture}; empty if there
   * is none (the capture was made by another tool, or renamed without its {@code .stats} file).
   *
   * @throws LabException BAD_INPUT if the sidecar exists but is not one the lab wrote
   */
  public static Optional<CaptureStats> readFor(Path capture) {
    Path file = sidecar(capture);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read (" + e.getMessage() + ")");
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
      CaptureStats s =
          new CaptureStats(
              number(p, "written"),
              number(p, "received"),
              number(p, "kernel_dropped"),
              number(p, "interface_dropped"),
              number(p, "lab_dropped"),
              number(p, "label_lines_skipped"),
              number(p, "packets_unlabelled"));
      if (!String.valueOf(s.complete()).equals(p.getProperty("complete"))) {
        throw LabException.badInput(file + ": 'complete' contradicts the drop counts");
      }
      return Optional.of(s);
    } catch (IOException | IllegalArgumentException e) {
      throw LabException.badInput(file + ": not a lab capture statistics file (" + e + ")");
    }
  }

  private static long number(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) throw new IllegalArgumentException("missing " + key);
    long n = Long.parseLong(v.trim());
    if (n < 0) throw new IllegalArgumentException(key + " is negative");
    return n;
  }
}
