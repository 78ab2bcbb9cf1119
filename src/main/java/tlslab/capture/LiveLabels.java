package tlslab.capture;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import tlslab.annotate.Annotator;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.pcap.Frame;

/**
 * The live printout of {@code lab capture}, kept away from the capture thread so that labelling can
 * never slow down writing packets.
 *
 * <p>Two bounded queues and two threads: the capture thread {@link #offer offers} each packet it
 * has already written; a labeller thread feeds every packet, in order, to the {@link Annotator}
 * (which needs each one to follow TCP streams) and queues a line per TLS packet; a printer thread
 * prints those lines. A slow terminal fills the line queue: further lines are skipped and counted,
 * and a notice says so at most once a second. If even the labeller falls behind, labelling stops
 * for good (labels built on a stream with a hole would be wrong) and a notice says so. In both
 * cases every packet is still in the file, and {@code lab annotate} labels all of them.
 */
final class LiveLabels {
  private static final Object END = new Object();

  /** A packet as the capture thread hands it over (the array is libpcap's copy, not reused). */
  private record Packet(long number, long micros, byte[] data, int originalLength) {}

  private final BlockingQueue<Object> packets;
  private final BlockingQueue<String> lines;
  private final long maxQueuedBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong linesSkipped = new AtomicLong();
  private final AtomicLong unlabelled = new AtomicLong();
  private final AtomicLong tls = new AtomicLong();
  private final PrintWriter out;
  private final Consumer<String> notices;
  private final int linkType;
  private final Thread labeller;
  private final Thread printer;
  private volatile boolean labellerStopped;
  private volatile boolean labellingDone;
  private volatile boolean abandon;

  /**
   * @param linkType the capture's link type
   * @param out where label lines go (stdout)
   * @param notices one-line notices about skipped lines (stderr)
   * @param maxPackets packets waiting for the labeller at most
   * @param maxLines label lines waiting for the terminal at most
   */
  LiveLabels(
      int linkType, PrintWriter out, Consumer<String> notices, int maxPackets, int maxLines) {
    this.linkType = linkType;
    this.out = out;
    this.notices = notices;
    this.packets = new ArrayBlockingQueue<>(maxPackets);
    this.lines = new ArrayBlockingQueue<>(maxLines);
    this.maxQueuedBytes = 128L << 20;
    this.labeller = new Thread(this::label, "capture-labeller");
    this.printer = new Thread(this::print, "capture-printer");
    labeller.setDaemon(true);
    printer.setDaemon(true);
    labeller.start();
    printer.start();
  }

  /** From the capture thread, after the packet is written: never blocks. */
  void offer(long number, long micros, byte[] data, int originalLength) {
    if (labellerStopped) {
      unlabelled.incrementAndGet();
      return;
    }
    if (queuedBytes.addAndGet(data.length) > maxQueuedBytes
        || !packets.offer(new Packet(number, micros, data, originalLength))) {
      queuedBytes.addAndGet(-data.length);
      labellerStopped = true;
      unlabelled.incrementAndGet();
      notices.accept(
          "live labels stopped at packet "
              + number
              + ": labelling fell behind the traffic. Every packet is still written;"
              + " 'lab annotate' on the file labels them all.");
    }
  }

  /** TLS packets labelled so far. */
  long tlsPackets() {
    return tls.get();
  }

  long linesSkipped() {
    return linesSkipped.get();
  }

  long unlabelled() {
    return unlabelled.get();
  }

  /**
   * Labels and prints what is queued, then stops; waits at most {@code millis} (what is not printed
   * by then counts as skipped).
   */
  void finish(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!packets.offer(END, 50, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) break;
    }
    labeller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    printer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    if (labeller.isAlive() || printer.isAlive()) {
      abandon = true;
      labeller.join(1000);
      printer.join(1000);
    }
    out.flush();
  }

  private void label() {
    Annotator annotator = new Annotator(KeyMaterial.none(), false);
    Frame frame = new Frame();
    try {
      while (!abandon) {
        Object o = packets.poll(100, TimeUnit.MILLISECONDS);
        if (o == null) continue;
        if (o == END) break;
        Packet p = (Packet) o;
        queuedBytes.addAndGet(-p.data().length);
        frame.number = p.number();
        frame.timeNanos = p.micros() * 1000;
        frame.linkType = linkType;
        frame.data = p.data();
        frame.offset = 0;
        frame.capturedLength = p.data().length;
        frame.wireLength = Math.max(p.originalLength(), p.data().length);
        Row row = annotator.annotate(frame);
        if (row.tls) {
          tls.incrementAndGet();
          String line =
              line(row.number, row.time, row.source, row.destination, row.protocol, row.info);
          if (!lines.offer(line)) linesSkipped.incrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // Whatever is still queued was written but will not be labelled.
      for (Object o; (o = packets.poll()) != null; ) if (o != END) unlabelled.incrementAndGet();
      labellingDone = true;
    }
  }

  /**
   * One label line, exactly as {@code String.format(Locale.ROOT, "%6d %10.6f %s -> %s %s %s", ...)}
   * writes it ({@link LiveLabelsTest} compares the two), built by hand: the JFR profile of {@code
   * lab capture} under the chat bench put 71% of the labeller thread's samples in that format call
   * (its Formatter parses the pattern and looks up the locale's digits on every call), against 24%
   * in the annotator itself. The time is the frame's offset in microseconds (the capture's
   * timestamps have no more), so six decimals are exact.
   */
  static String line(
      long number,
      double seconds,
      String source,
      String destination,
      String protocol,
      String info) {
    StringBuilder b =
        new StringBuilder(40 + source.length() + destination.length() + info.length());
    pad(b, Long.toString(number), 6);
    b.append(' ');
    long micros = Math.round(seconds * 1e6);
    String sign = micros < 0 ? "-" : "";
    long abs = Math.abs(micros);
    String fraction = Long.toString(1_000_000 + abs % 1_000_000).substring(1);
    pad(b, sign + (abs / 1_000_000) + "." + fraction, 10);
    return b.append("  ")
        .append(source)
        .append(" -> ")
        .append(destination)
        .append("  ")
        .append(protocol)
        .append("  ")
        .append(info)
        .toString();
  }

  private static void pad(StringBuilder b, String s, int width) {
    for (int i = s.length(); i < width; i++) b.append(' ');
    b.append(s);
  }

  /**
   * Prints queued lines in batches through its own 64 KiB buffer, flushed when the queue is empty
   * but at most every 20 ms while lines keep coming: the command's stdout flushes on every line (a
   * write system call each), which made the printer thread a sixth of {@code lab capture}'s CPU,
   * half of it in the kernel, under the chat bench. A line waits at most about 20 ms.
   */
  private void print() {
    long reported = 0;
    long lastNotice = 0;
    long lastFlush = 0;
    boolean unflushed = false;
    PrintWriter w = new PrintWriter(new BufferedWriter(out, 1 << 16), false);
    List<String> batch = new ArrayList<>(1024);
    try {
      while (!abandon) {
        String line = lines.poll(unflushed ? 20 : 100, TimeUnit.MILLISECONDS);
        long now = System.nanoTime();
        if (line != null) {
          batch.add(line);
          lines.drainTo(batch, 1023);
          for (String l : batch) w.println(l);
          batch.clear();
          unflushed = true;
        }
        if (unflushed
            && (line == null
                || (lines.isEmpty() && now - lastFlush > TimeUnit.MILLISECONDS.toNanos(20)))) {
          w.flush();
          unflushed = false;
          lastFlush = now;
        }
        if (line == null && labellingDone && lines.isEmpty()) break;
        long skipped = linesSkipped.get();
        if (skipped != reported && now - lastNotice > TimeUnit.SECONDS.toNanos(1)) {
          notices.accept(
              skipped
                  + " label lines skipped so far: the terminal is slower than the traffic."
                  + " Every packet is still written.");
          reported = skipped;
          lastNotice = now;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      linesSkipped.addAndGet(lines.size());
      lines.clear();
      w.flush();
    }
  }
}
