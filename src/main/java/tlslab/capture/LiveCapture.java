package tlslab.capture;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.RawPacketListener;
import tlslab.annotate.Annotator;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.common.LabException;
import tlslab.pcap.Frame;

/**
 * Live capture with pcap4j (libpcap through JNA): writes every packet to a pcap file that Wireshark
 * opens, and prints one line per packet carrying TLS, labelled by the same {@link Annotator} that
 * {@code lab annotate} uses (fed packet by packet).
 *
 * <p>Stopping is the delicate part (see reference/FACTS.md): libpcap's loop can block on an idle
 * interface, so count, duration and Ctrl-C all end it with {@code breakLoop()} from another thread,
 * and the dumper is flushed and closed on every path so the file is complete.
 */
public final class LiveCapture {
  /**
   * What to capture.
   *
   * @param iface interface name ("lo")
   * @param filter BPF filter, or null for everything
   * @param out pcap file to write
   * @param count stop after this many packets (0 = no limit)
   * @param durationSeconds stop after this many seconds (0 = no limit)
   */
  public record Options(
      String iface, String filter, Path out, long count, double durationSeconds) {}

  /** Counts at the end. */
  public record Result(long packets, long tlsPackets, boolean interrupted) {}

  static {
    // pcap4j logs every loop start/stop at INFO through slf4j-simple; keep the console for labels.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }

  /** Loopback frames reach 65,549 bytes (FACTS.md): never truncate them. */
  static final int SNAPLEN = 262144;

  private final Options options;
  private volatile PcapHandle handle;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CountDownLatch opened = new CountDownLatch(1);
  private final AtomicLong packets = new AtomicLong();
  private final AtomicLong tls = new AtomicLong();

  /** Packets written so far (and TLS packets among them). */
  public Result progress() {
    return new Result(packets.get(), tls.get(), stopRequested.get());
  }

  public LiveCapture(Options options) {
    this.options = options;
  }

  /** Asks a running capture to stop (safe from any thread, e.g. a shutdown hook). */
  public void stop() {
    stopRequested.set(true);
    PcapHandle h = handle;
    if (h != null) {
      try {
        h.breakLoop();
      } catch (NotOpenException e) {
        // already closed: nothing to stop
      }
    }
  }

  /**
   * Waits until the capture is open, filtered and writing (so packets sent from now on are
   * recorded), or until it ended without opening; true only in the first case.
   */
  public boolean awaitOpened(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      if (opened.await(20, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (finished.getCount() == 0) {
        return false;
      }
    }
    return false;
  }

  /** Waits until the file is flushed and closed after {@link #stop()}. */
  public boolean awaitFinished(long millis) throws InterruptedException {
    return finished.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Runs the capture until count/duration/stop; prints TLS lines to {@code out}. */
  public Result run(PrintWriter out) {
    ScheduledExecutorService timer = null;
    PcapDumper dumper = null;
    try {
      PcapHandle h = open();
      handle = h;
      if (options.filter() != null && !options.filter().isBlank()) {
        try {
          h.setFilter(options.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException e) {
          throw LabException.badInput(
              "invalid capture filter '" + options.filter() + "': " + e.getMessage());
        }
      }
      dumper = h.dumpOpen(options.out().toString());
      opened.countDown();
      final PcapDumper d = dumper;
      int link = h.getDlt().value();
      Annotator annotator = new Annotator(KeyMaterial.none(), false);
      Frame frame = new Frame();
      RawPacketListener listener =
          raw -> {
            Timestamp ts = h.getTimestamp();
            Integer orig = h.getOriginalLength();
            try {
              d.dumpRaw(raw, ts);
            } catch (NotOpenException e) {
              return;
            }
            long n = packets.incrementAndGet();
            frame.number = n;
            frame.timeNanos =
                ts == null
                    ? System.currentTimeMillis() * 1_000_000L
                    : ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos();
            frame.linkType = link;
            frame.data = raw;
            frame.offset = 0;
            frame.capturedLength = raw.length;
            frame.wireLength = orig == null ? raw.length : Math.max(orig, raw.length);
            Row row = annotator.annotate(frame);
            if (row.tls) {
              tls.incrementAndGet();
              out.printf(
                  Locale.ROOT,
                  "%6d %10.6f  %s -> %s  %s  %s%n",
                  row.number,
                  row.time,
                  row.source,
                  row.destination,
                  row.protocol,
                  row.info);
              out.flush();
            }
            if (options.count() > 0 && n >= options.count()) stop();
          };
      if (options.durationSeconds() > 0) {
        timer =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "capture-timer");
                  t.setDaemon(true);
                  return t;
                });
        timer.schedule(
            this::stop, Math.round(options.durationSeconds() * 1000), TimeUnit.MILLISECONDS);
      }
      boolean interrupted = false;
      while (!stopRequested.get()) {
        try {
          h.loop(-1, listener);
        } catch (InterruptedException e) {
          // breakLoop() ended the loop: the normal way to stop
          interrupted = !stopRequested.get();
          break;
        }
      }
      d.flush();
      return new Result(packets.get(), tls.get(), interrupted);
    } catch (PcapNativeException e) {
      throw LabException.environment("capture failed: " + e.getMessage());
    } catch (NotOpenException e) {
      throw LabException.environment("capture handle closed unexpectedly");
    } finally {
      if (timer != null) timer.shutdownNow();
      if (dumper != null) dumper.close(); // flushes the stdio buffer: the file is complete
      PcapHandle h = handle;
      handle = null;
      if (h != null) h.close();
      finished.countDown();
    }
  }

  private PcapHandle open() {
    try {
      Path parent = options.out().toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      return new PcapHandle.Builder(options.iface())
          .snaplen(SNAPLEN)
          .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
          .timeoutMillis(100)
          .bufferSize(16 * 1024 * 1024)
          .immediateMode(true)
          .build();
    } catch (PcapNativeException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Operation not permitted") || m.contains("permission")) {
        throw LabException.environment(
            "capturing needs root or CAP_NET_RAW ("
                + m
                + "): run as root,"
                + " or grant it once with: sudo setcap cap_net_raw,cap_net_admin+eip "
                + "$(readlink -f $(command -v java))");
      }
      if (m.contains("No such device") || m.contains("doesn't exist")) {
        throw LabException.badInput("no such interface '" + options.iface() + "': " + m);
      }
      throw LabException.environment("cannot open " + options.iface() + ": " + m);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      throw LabException.environment(
          "libpcap is not installed (pcap4j needs libpcap.so): " + "apt-get install libpcap0.8");
    } catch (java.io.IOException e) {
      throw LabException.badInput("cannot create the output directory: " + e.getMessage());
    }
  }
}
