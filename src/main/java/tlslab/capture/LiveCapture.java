package tlslab.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;
import tlslab.common.LabException;
import tlslab.pcap.CaptureWriter;

/**
 * Live capture with pcap4j (libpcap through JNA), set up as tcpdump sets up libpcap: a kernel
 * buffer of a chosen size, immediate mode (each packet is handed over as it arrives instead of when
 * a buffer block fills) and a snapshot length.
 *
 * <p>The capture thread does two things per packet: it writes the packet to the file and offers it
 * to {@link LiveLabels}, which labels and prints on other threads from bounded queues. So a slow
 * terminal costs printed lines (skipped and counted), never packets.
 *
 * <p>What the kernel dropped is told, not hidden: libpcap's counters (pcap_stats) are read
 * periodically and at the end ({@link CaptureStats}); the end result is kept next to the file
 * ({@code FILE.stats}) and, in pcapng, in an Interface Statistics Block.
 *
 * <p>With a key log ({@link Options#keyLog()}), the file is pcapng with a Decryption Secrets Block
 * before the packets, so it opens decrypted in Wireshark alone. Key log lines appear while the
 * capture runs, after the packets that start each session, and Wireshark applies secrets only to
 * packets that follow the block (docs/CAPTURE.md): so packets go to {@code FILE.partial} (a valid
 * pcapng) while capturing, and at the end the file is assembled as header, secrets, packets,
 * statistics.
 *
 * <p>Stopping is the delicate part (see docs/CAPTURE.md): libpcap's loop can block on an idle
 * interface, so count, duration and Ctrl-C all end it with {@code breakLoop()} from another thread,
 * and the file is flushed and closed on every path.
 */
public final class LiveCapture {
  /** Loopback frames reach 65,549 bytes: never truncate them by default (tcpdump's default). */
  public static final int DEFAULT_SNAPLEN = 262144;

  /** How often packets written since the last flush are pushed to the file while capturing. */
  static final long FLUSH_MILLIS = 1000;

  /**
   * Kernel buffer: 64 MiB by default (tcpdump: 2 MiB). The JVM reads packets more slowly than
   * tcpdump; on a loaded machine 16 MiB still lost packets under the chat bench, 64 MiB did not
   * (docs/CAPTURE.md).
   */
  public static final int DEFAULT_BUFFER_BYTES = 64 << 20;

  /**
   * What to capture.
   *
   * @param iface interface name ("lo")
   * @param filter BPF filter, or null for everything
   * @param out capture file to write; pcapng if it ends with {@code .pcapng} or a key log is given
   * @param count stop after this many packets (0 = no limit)
   * @param durationSeconds stop after this many seconds (0 = no limit)
   * @param snaplen bytes kept of each packet
   * @param bufferBytes the kernel buffer libpcap asks for
   * @param immediate deliver each packet at once (libpcap immediate mode). Off by default, as in
   *     tcpdump -w: on Linux immediate mode makes libpcap use TPACKET_V2, whose ring has one fixed
   *     slot of snaplen bytes per packet (64 slots in 16 MiB at snaplen 262144), while TPACKET_V3
   *     packs packets into blocks and hands a block over at the latest after the 100 ms timeout
   * @param keyLog NSS key log whose lines go into the file's Decryption Secrets Block, or null
   * @param statusSeconds how often to report the counters while capturing (0 = only at the end)
   */
  public record Options(
      String iface,
      String filter,
      Path out,
      long count,
      double durationSeconds,
      int snaplen,
      int bufferBytes,
      boolean immediate,
      Path keyLog,
      double statusSeconds) {
    /**
     * The defaults: snaplen 262144, 64 MiB buffer, no immediate mode (as tcpdump -w), no key log,
     * no status.
     */
    public Options(String iface, String filter, Path out, long count, double durationSeconds) {
      this(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          DEFAULT_SNAPLEN,
          DEFAULT_BUFFER_BYTES,
          false,
          null,
          0);
    }

    public Options withSnaplen(int bytes) {
      return new Options(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          bytes,
          bufferBytes,
          immediate,
          keyLog,
          statusSeconds);
    }

    public Options withBufferBytes(int bytes) {
      return new Options(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          snaplen,
          bytes,
          immediate,
          keyLog,
          statusSeconds);
    }

    public Options withImmediate(boolean on) {
      return new Options(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          snaplen,
          bufferBytes,
          on,
          keyLog,
          statusSeconds);
    }

    public Options withKeyLog(Path file) {
      return new Options(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          snaplen,
          bufferBytes,
          immediate,
          file,
          statusSeconds);
    }

    public Options withStatusSeconds(double seconds) {
      return new Options(
          iface,
          filter,
          out,
          count,
          durationSeconds,
          snaplen,
          bufferBytes,
          immediate,
          keyLog,
          seconds);
    }

    /** pcapng when asked for by name or needed for the key log; classic pcap otherwise. */
    public CaptureWriter.Format format() {
      return keyLog != null || out.getFileName().toString().endsWith(".pcapng")
          ? CaptureWriter.Format.PCAPNG
          : CaptureWriter.Format.PCAP;
    }
  }

  /**
   * Counts at the end.
   *
   * @param packets packets written
   * @param tlsPackets packets labelled TLS live
   * @param interrupted the loop ended without a stop request
   * @param stats libpcap's counters and the lab's
   * @param keyLogLines key log lines written into the Decryption Secrets Block (-1 without one)
   */
  public record Result(
      long packets, long tlsPackets, boolean interrupted, CaptureStats stats, int keyLogLines) {}

  static {
    // pcap4j logs every loop start/stop at INFO through slf4j-simple; keep the console for labels.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }

  private final Options options;
  private volatile PcapHandle handle;
  private volatile LiveLabels labels;
  private volatile CaptureStats last;
  private volatile CaptureStats base;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CountDownLatch opened = new CountDownLatch(1);
  private final AtomicLong packets = new AtomicLong();
  private volatile TcpEnds ends;

  /** libpcap's counters when the loop ended (see {@link #atEnd}): received, dropped, by the if. */
  private volatile long[] rawAtStop;

  public LiveCapture(Options options) {
    if (options.snaplen() < 64 || options.bufferBytes() < 0) {
      throw LabException.badInput("snaplen must be >= 64 and the buffer size >= 0");
    }
    this.options = options;
  }

  /** Packets written so far; after the end, the final counters. */
  public Result progress() {
    LiveLabels l = labels;
    CaptureStats s = last;
    return new Result(packets.get(), l == null ? 0 : l.tlsPackets(), stopRequested.get(), s, -1);
  }

  /**
   * Follows the ends of every TCP connection in the packets written from now on (call before {@link
   * #run}): which started in the capture with their SYN and which ended in it with their FINs
   * ({@link TcpEnds}). Costs a TCP header decode per packet, so it is off unless asked for.
   */
  public TcpEnds trackTcpEnds() {
    TcpEnds e = ends;
    if (e == null) {
      e = new TcpEnds();
      ends = e;
    }
    return e;
  }

  /**
   * Waits until the capture has written the end of at least {@code connections} TCP connections,
   * and of every connection it saw ({@link TcpEnds#allClosed}); false if that did not happen within
   * {@code millis}. A caller that closed its connections waits on this before {@link #stop()}, so
   * that their last packets (FIN, the last ACK), which reach the capture a moment after the sockets
   * close, are in the file, instead of guessing that moment with a sleep.
   */
  public boolean awaitTcpClosed(int connections, long millis) throws InterruptedException {
    TcpEnds e = ends;
    if (e == null) throw new IllegalStateException("trackTcpEnds() was not called before run()");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!e.allClosed(connections)) {
      if (System.nanoTime() > deadline || finished.getCount() == 0) return e.allClosed(connections);
      Thread.sleep(10);
    }
    return true;
  }

  /** Asks a running capture to stop (safe from any thread, e.g. a signal handler). */
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

  /** Waits until the file is complete and closed after {@link #stop()}. */
  public boolean awaitFinished(long millis) throws InterruptedException {
    return finished.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Runs the capture until count/duration/stop; prints TLS lines to {@code out}. */
  public Result run(PrintWriter out) {
    return run(out, line -> {});
  }

  /**
   * Runs the capture until count/duration/stop.
   *
   * @param out TLS label lines, one per TLS packet (skipped when it cannot keep up)
   * @param status one-line reports: the counters every {@link Options#statusSeconds()}, and notices
   *     about skipped labels
   */
  public Result run(PrintWriter out, Consumer<String> status) {
    ScheduledExecutorService timer = null;
    CaptureWriter writer = null;
    Path body = options.keyLog() == null ? options.out() : partial(options.out());
    long startMicros = System.currentTimeMillis() * 1000;
    boolean done = false;
    try {
      PcapHandle h = open();
      handle = h;
      setFilter(h);
      // Whatever the kernel counted before the filter was in place (libpcap drains the socket while
      // it swaps filters) is not this capture's: count from here.
      base = stats(h, null, 0, false);
      int link = h.getDlt().value();
      writer = createWriter(body, link);
      final CaptureWriter w = writer;
      LiveLabels l = new LiveLabels(link, out, status, 1 << 20, 4096);
      labels = l;
      opened.countDown();
      // Written by the capture thread, or by the timer's flush: the first write error ends it.
      java.util.concurrent.atomic.AtomicReference<IOException> failed =
          new java.util.concurrent.atomic.AtomicReference<>();
      IOException[] failure = new IOException[1];
      RawPacketListener listener =
          raw -> {
            if (failed.get() != null) return;
            Timestamp ts = h.getTimestamp();
            Integer orig = h.getOriginalLength();
            long micros =
                ts == null
                    ? System.currentTimeMillis() * 1000
                    : Math.floorDiv(ts.getTime(), 1000) * 1_000_000L + ts.getNanos() / 1000;
            int wire = orig == null ? raw.length : orig;
            try {
              synchronized (w) {
                w.frame(micros, raw, raw.length, wire);
              }
            } catch (IOException e) {
              failed.compareAndSet(null, e);
              stop();
              return;
            }
            long n = packets.incrementAndGet();
            TcpEnds e = ends;
            if (e != null) e.add(link, raw, raw.length, wire);
            l.offer(n, micros, raw, wire);
            if (options.count() > 0 && n >= options.count()) stop();
          };
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "capture-timer");
                t.setDaemon(true);
                return t;
              });
      // A reader of the growing file (Wireshark, a script waiting for a connection's end) sees
      // every packet within about a second, also when the traffic stops: flushing only when the
      // next packet comes would keep the last ones of a quiet interface in the buffer.
      long[] flushed = {0};
      timer.scheduleWithFixedDelay(
          () -> {
            synchronized (w) {
              if (failed.get() != null || w.frames() == flushed[0]) return;
              try {
                w.flush();
                flushed[0] = w.frames();
              } catch (IOException e) {
                failed.compareAndSet(null, e);
                stop();
              }
            }
          },
          FLUSH_MILLIS,
          FLUSH_MILLIS,
          TimeUnit.MILLISECONDS);
      if (options.durationSeconds() > 0) {
        timer.schedule(
            this::stop, Math.round(options.durationSeconds() * 1000), TimeUnit.MILLISECONDS);
      }
      if (options.statusSeconds() > 0) {
        long every = Math.max(100, Math.round(options.statusSeconds() * 1000));
        timer.scheduleAtFixedRate(
            () -> {
              CaptureStats s = stats(h, l, 0, false);
              // Report when something moved: an idle capture does not repeat itself.
              if (s != null && !s.equals(last)) {
                last = s;
                status.accept(s.summary());
              }
            },
            every,
            every,
            TimeUnit.MILLISECONDS);
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
      timer.shutdownNow();
      // A flush that is running finishes before the end of the capture writes on.
      try {
        if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
          throw LabException.environment("the capture's timer did not stop");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      failure[0] = failed.get();
      // pcap_stats before the handle closes: the kernel's drop count dies with the socket. The
      // capture ends now: what the kernel counted up to here is what it must account for.
      CaptureStats s = stats(h, l, 0, false);
      if (s == null) s = new CaptureStats(packets.get(), packets.get(), 0, 0, 0, 0, 0);
      boolean byCount = options.count() > 0 && packets.get() >= options.count();
      long labFailures = failure[0] == null ? 0 : 1;
      if (!byCount && failure[0] == null) {
        // Packets the kernel had queued when the loop was broken were received, not dropped:
        // write them too, so that received = written + dropped holds.
        drain(h, listener, s.received() - s.kernelDropped());
      }
      if (byCount) {
        s = stats(h, l, labFailures, false);
      } else {
        long[] atStop = rawAtStop;
        s = atStop == null ? stats(h, l, labFailures, true) : atEnd(atStop, labFailures, l);
      }
      if (s == null) s = new CaptureStats(packets.get(), packets.get(), 0, 0, 0, 0, 0);
      writer.flush();
      if (failure[0] == null) failure[0] = failed.get(); // a write of the last packets failed
      if (failure[0] != null) {
        throw LabException.badInput(
            options.out() + ": writing the capture failed: " + failure[0].getMessage());
      }
      try {
        l.finish(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s =
          new CaptureStats(
              s.written(),
              s.received(),
              s.kernelDropped(),
              s.interfaceDropped(),
              s.labDropped(),
              l.linesSkipped(),
              l.unlabelled());
      int keyLines = -1;
      if (writer.format() == CaptureWriter.Format.PCAPNG) {
        if (options.keyLog() == null) {
          writer.statistics(isb(s, startMicros), s.summary());
          writer.close();
        } else {
          writer.close();
          keyLines = assemble(body, link, s, startMicros);
        }
      } else {
        writer.close();
      }
      writer = null;
      s.writeSidecar(options.out());
      last = s;
      done = true;
      return new Result(packets.get(), l.tlsPackets(), interrupted, s, keyLines);
    } catch (PcapNativeException e) {
      throw LabException.environment("capture failed: " + e.getMessage());
    } catch (NotOpenException e) {
      throw LabException.environment("capture handle closed unexpectedly");
    } catch (IOException e) {
      throw LabException.badInput(options.out() + ": cannot write: " + e.getMessage());
    } finally {
      if (timer != null) timer.shutdownNow();
      if (writer != null) {
        try {
          writer.close(); // flushes: the packets so far are on disk whatever happened
        } catch (IOException e) {
          // already failing: the first error is the one reported
        }
      }
      PcapHandle h = handle;
      handle = null;
      if (h != null) h.close();
      if (!done && options.keyLog() != null && Files.exists(body)) {
        status.accept("the packets captured so far are in " + body + " (without the keys)");
      }
      finished.countDown();
    }
  }

  /** Sets the BPF filter, if any. */
  private void setFilter(PcapHandle h) throws NotOpenException {
    String f = options.filter() == null || options.filter().isBlank() ? null : options.filter();
    if (f == null) return;
    try {
      h.setFilter(f, BpfProgram.BpfCompileMode.OPTIMIZE);
    } catch (PcapNativeException e) {
      throw LabException.badInput("invalid capture filter '" + f + "': " + e.getMessage());
    }
  }

  /**
   * Reads what the kernel still holds, without blocking, until {@code expected} are written or 5 s
   * have passed (what is still missing then is counted as lost by the lab).
   *
   * <p>A {@code breakLoop()} that came before the loop ran, or while it was returning on its own,
   * is still pending in libpcap (its flag and its eventfd wake-up): the first {@code dispatch} then
   * returns PCAP_ERROR_BREAK (pcap4j: InterruptedException) without reading anything, and clears
   * it. That is this capture's own stop request, not the end of the data: keep reading. (Before,
   * the drain gave up there, and a capture stopped quickly after it opened lost every packet: seen
   * in 24 of 100 quick captures on the loaded machine, reported as "N by the lab".)
   */
  private void drain(PcapHandle h, RawPacketListener listener, long expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    try {
      h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      // TPACKET_V3 hands a partly filled block over only at its timeout (100 ms): wait for the
      // count libpcap gave, not for a quiet spell, which a loaded machine can stretch.
      while (packets.get() < expected && System.nanoTime() < deadline) {
        int n;
        try {
          n = h.dispatch(-1, listener);
        } catch (InterruptedException e) {
          continue; // a pending breakLoop() consumed (see above); nothing was read
        }
        if (n <= 0) Thread.sleep(5);
      }
    } catch (PcapNativeException | NotOpenException e) {
      // nothing more to read: what is missing is counted as lost by the lab
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * libpcap's counters now, counted from the moment the filter was set.
   *
   * <p>On Linux {@code lo} the kernel hands a capture every packet twice, once as sent and once as
   * received; libpcap throws the sent copy away in user space, but pcap_stats counts both: {@code
   * ps_recv} is exactly twice the packets (tcpdump's "received by filter" too), and {@code ps_drop}
   * counts dropped copies, so it overstates the packets lost. The lab therefore counts packets: on
   * lo, received = ps_recv / 2, and at the end (after reading what the kernel still held) the
   * packets lost are received minus written, of which at most ps_drop are the kernel's and the rest
   * the lab's. So the counts add up exactly: written + dropped = received.
   *
   * @param exactAtEnd false while capturing (packets in flight look lost) or when a --count stop
   *     left packets in the kernel on purpose: then drops are libpcap's alone
   */
  private CaptureStats stats(PcapHandle h, LiveLabels l, long labDropped, boolean exactAtEnd) {
    try {
      PcapStat st = h.getStats();
      CaptureStats b = base;
      long recv = st.getNumPacketsReceived() - (b == null ? 0 : b.received());
      long drop = st.getNumPacketsDropped() - (b == null ? 0 : b.kernelDropped());
      long ifdrop = st.getNumPacketsDroppedByIf() - (b == null ? 0 : b.interfaceDropped());
      long written = packets.get();
      long kernel = drop;
      long lab = labDropped;
      boolean lo = b != null && "lo".equals(options.iface());
      if (b != null && rawAtStop == null && stopRequested.get()) {
        rawAtStop = new long[] {lo ? recv / 2 : recv, drop, ifdrop};
      }
      if (lo) {
        recv /= 2;
        long lost = Math.max(0, recv - written);
        kernel = Math.min(drop, lost);
        if (exactAtEnd) lab = Math.max(labDropped, lost - kernel);
      }
      return new CaptureStats(
          written,
          recv,
          kernel,
          ifdrop,
          lab,
          l == null ? 0 : l.linesSkipped(),
          l == null ? 0 : l.unlabelled());
    } catch (PcapNativeException | NotOpenException e) {
      return null;
    }
  }

  /**
   * The final counts, from libpcap's counters when the loop ended ({@code atStop}) and the packets
   * written after the drain. The capture ends when it is stopped: a packet the kernel counts later
   * (the interface is busy with other traffic, or a connection's last ACK comes after Ctrl-C) is
   * after the end, neither written nor lost. Counting from the final pcap_stats instead called such
   * packets "lost by the lab": seen as 385 "lost" packets on a busy lo, a false INCOMPLETE. Of the
   * packets counted by the stop, those not written are lost: at most the kernel's drop count of
   * them by the kernel, the rest by the lab. Packets written after the stop count as received too,
   * so that written + dropped = received still holds.
   */
  private CaptureStats atEnd(long[] atStop, long labFailures, LiveLabels l) {
    long written = packets.get();
    long lost = Math.max(0, atStop[0] - written);
    long kernel = Math.min(atStop[1], lost);
    long lab = Math.max(labFailures, lost - kernel);
    return new CaptureStats(
        written,
        Math.max(atStop[0], written + kernel + lab),
        kernel,
        atStop[2],
        lab,
        l.linesSkipped(),
        l.unlabelled());
  }

  private static CaptureWriter.Statistics isb(CaptureStats s, long startMicros) {
    return new CaptureWriter.Statistics(
        startMicros, System.currentTimeMillis() * 1000, s.received(), s.dropped(), s.written());
  }

  private CaptureWriter createWriter(Path file, int link) throws IOException {
    return CaptureWriter.open(
        create(file, false), options.format(), link, options.snaplen(), options.iface());
  }

  /** A new file; owner-only (0600) when it will hold TLS secrets. */
  private static OutputStream create(Path file, boolean secret) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.deleteIfExists(file);
    if (secret) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    return Files.newOutputStream(file);
  }

  static Path partial(Path out) {
    return out.resolveSibling(out.getFileName() + ".partial");
  }

  /**
   * Writes the final pcapng: section and interface headers, the Decryption Secrets Block with every
   * key log line, the packets from {@code body}, the statistics block; then removes {@code body}.
   * Returns the number of key log lines.
   */
  private int assemble(Path body, int link, CaptureStats s, long startMicros) throws IOException {
    KeyLogLines keys = KeyLogLines.read(options.keyLog());
    Path tmp = options.out().resolveSibling(options.out().getFileName() + ".assembling");
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    CaptureWriter.open(
            header, CaptureWriter.Format.PCAPNG, link, options.snaplen(), options.iface())
        .flush();
    try (CaptureWriter w =
            CaptureWriter.open(
                create(tmp, true),
                CaptureWriter.Format.PCAPNG,
                link,
                options.snaplen(),
                options.iface());
        InputStream in = Files.newInputStream(body)) {
      if (!keys.text().isEmpty()) w.secrets(keys.text());
      in.skipNBytes(header.size());
      w.copyBlocks(in);
      w.statistics(isb(s, startMicros), s.summary());
    }
    Files.move(tmp, options.out(), StandardCopyOption.REPLACE_EXISTING);
    Files.delete(body);
    return keys.lines();
  }

  private PcapHandle open() {
    try {
      return new PcapHandle.Builder(options.iface())
          .snaplen(options.snaplen())
          .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
          .timeoutMillis(100)
          .bufferSize(options.bufferBytes())
          .immediateMode(options.immediate())
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
    }
  }
}
