package tlslab.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.OutputFormat;
import tlslab.common.LabException;
import tlslab.pcap.CaptureWriter;

/**
 * {@code lab bench fuzz}: mutation fuzzing of {@code lab annotate} with a fixed seed. Each case
 * takes one seed capture (files given on the command line, plus TLS 1.2 and TLS 1.3 sessions made
 * in memory by JSSE, each also as pcapng), applies one {@link CaptureMutator.Op} (or mutates the
 * key log that goes with it), runs the real annotator in this JVM ({@link CaptureFuzzer}) and
 * counts the outcome. It prints cases per second, the outcomes per mutation, and each defect with a
 * minimized input; with {@code --tshark N}, every N-th case is also read by tshark, and a file
 * tshark calls damaged (or reads more frames from) that the lab annotated without a warning counts
 * as silent loss. Exits 1 if any defect was found.
 */
public final class FuzzBench {
  /** What a run found. */
  public record Result(
      long cases,
      double seconds,
      Map<CaptureFuzzer.Outcome, Long> outcomes,
      List<String> defects,
      long tsharkCompared,
      long tsharkDisagreed) {
    public double casesPerSecond() {
      return cases / seconds;
    }

    public long defectCount() {
      return outcomes.entrySet().stream()
          .filter(e -> e.getKey().defect())
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  /** One seed: a capture and, when there is one, the key log that decrypts it. */
  record Seed(String name, byte[] bytes, String keyLog) {}

  private FuzzBench() {}

  /** The layers of {@link CaptureLayout} inside TLS: lies there must not change labels silently. */
  private static final java.util.regex.Pattern TLS_LAYERS =
      java.util.regex.Pattern.compile("(tls record|handshake|hello|extension|sni|alpn|key share)");

  /**
   * Fuzzes for {@code seconds} (or {@code maxCases}, whichever comes first) from {@code
   * randomSeed}, printing figures to {@code out}.
   */
  public static Result run(
      List<Path> files,
      Path keyLog,
      double seconds,
      long maxCases,
      long randomSeed,
      long deadlineMillis,
      int tsharkEvery,
      Path save,
      PrintWriter out) {
    String log = null;
    if (keyLog != null) {
      try {
        log = Files.readString(keyLog, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw LabException.badInput(keyLog + ": cannot read: " + e.getMessage());
      }
    }
    List<Seed> seeds = new ArrayList<>();
    for (Path f : files) {
      try {
        seeds.add(new Seed(f.getFileName().toString(), Files.readAllBytes(f), log));
      } catch (IOException e) {
        throw LabException.badInput(f + ": cannot read: " + e.getMessage());
      }
    }
    int given = seeds.size();
    seeds.addAll(syntheticSeeds());
    List<Seed> withNg = new ArrayList<>(seeds);
    int fromGiven = given;
    for (int i = 0; i < seeds.size(); i++) {
      Seed s = seeds.get(i);
      byte[] ng = toPcapng(s.bytes(), s.keyLog());
      if (ng != null) {
        withNg.add(new Seed(s.name() + ".pcapng", ng, s.keyLog()));
        if (i < given) fromGiven++;
      }
    }
    out.printf(
        Locale.ROOT,
        "fuzzing lab annotate: %d seed captures (%d from the files given, with their pcapng"
            + " copies; the rest made in memory), seed %d, deadline %d ms per case%n",
        withNg.size(),
        fromGiven,
        randomSeed,
        deadlineMillis);
    out.flush();
    return fuzz(withNg, seconds, maxCases, randomSeed, deadlineMillis, tsharkEvery, save, out);
  }

  static Result fuzz(
      List<Seed> seeds,
      double seconds,
      long maxCases,
      long randomSeed,
      long deadlineMillis,
      int tsharkEvery,
      Path save,
      PrintWriter out) {
    Random rnd = new Random(randomSeed);
    CaptureMutator mutator = new CaptureMutator(rnd);
    Map<String, EnumMap<CaptureFuzzer.Outcome, Long>> byOp = new LinkedHashMap<>();
    EnumMap<CaptureFuzzer.Outcome, Long> total = new EnumMap<>(CaptureFuzzer.Outcome.class);
    List<String> defects = new ArrayList<>();
    OutputFormat[] formats = {
      OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.TSV, OutputFormat.TABLE, OutputFormat.HTML
    };
    Map<String, String> baseline = new java.util.HashMap<>();
    long compared = 0;
    long disagreed = 0;
    long cases = 0;
    long t0 = System.nanoTime();
    Path keyFile;
    try {
      keyFile = Files.createTempFile("tlslab-fuzz", ".keylog");
    } catch (IOException e) {
      throw LabException.environment("cannot create a temporary file: " + e.getMessage());
    }
    try (CaptureFuzzer fuzzer = new CaptureFuzzer(deadlineMillis)) {
      while (cases < maxCases && (System.nanoTime() - t0) / 1e9 < seconds) {
        Seed seed = seeds.get(rnd.nextInt(seeds.size()));
        Seed other = seeds.get(rnd.nextInt(seeds.size()));
        OutputFormat format = formats[(int) (cases % formats.length)];
        CaptureMutator.Mutant m;
        Supplier<KeyMaterial> keys;
        if (seed.keyLog() != null && rnd.nextInt(4) == 0) {
          // The capture as it is, with a damaged key log (or one stored in the pcapng).
          String junk = KeyLogMutator.mutate(seed.keyLog(), rnd);
          writeKeyLog(keyFile, junk);
          m = new CaptureMutator.Mutant(seed.name(), null, "key log with junk lines", seed.bytes());
          keys = () -> KeyMaterial.none().withKeyLog(keyFile);
        } else {
          m = mutator.mutate(seed.name(), seed.bytes(), other.bytes());
          if (seed.keyLog() != null && rnd.nextBoolean()) {
            writeKeyLog(keyFile, seed.keyLog());
            keys = () -> KeyMaterial.none().withKeyLog(keyFile);
          } else keys = KeyMaterial::none;
        }
        if (tlsLie(m)) {
          // Compared with the seed's own table: same format, no keys.
          format = OutputFormat.TABLE;
          keys = KeyMaterial::none;
        }
        CaptureFuzzer.Verdict v = judge(fuzzer, seed, m, keys, format, baseline);
        cases++;
        if (!v.outcome().defect()
            && tsharkEvery > 0
            && cases % tsharkEvery == 0
            && v.outcome() != CaptureFuzzer.Outcome.BAD_INPUT) {
          TsharkView t = tshark(m.bytes());
          if (t != null) {
            compared++;
            boolean labWarned = v.outcome() == CaptureFuzzer.Outcome.WARNED;
            String why = null;
            if (t.damaged() && !labWarned) why = "tshark: " + t.message() + "; the lab: no warning";
            else if (t.frames() > v.frames() && !labWarned)
              why = "tshark read " + t.frames() + " frames, the lab " + v.frames() + ", no warning";
            if (why != null) {
              disagreed++;
              v = new CaptureFuzzer.Verdict(CaptureFuzzer.Outcome.SILENT_LOSS, why, v.frames());
            }
          }
        }
        String op = m.op() == null ? "KEY_LOG_JUNK" : m.op().name();
        byOp.computeIfAbsent(op, k -> new EnumMap<>(CaptureFuzzer.Outcome.class))
            .merge(v.outcome(), 1L, Long::sum);
        total.merge(v.outcome(), 1L, Long::sum);
        if (v.outcome().defect() && defects.size() < 20) {
          byte[] small =
              m.op() == null
                  ? m.bytes()
                  : fuzzer.minimize(seed.bytes(), m.bytes(), keys, format, v.outcome());
          String line =
              String.format(
                  Locale.ROOT,
                  "DEFECT %s case %d: seed %s, %s (%s), --format %s: %s%n  minimized: %s",
                  v.outcome(),
                  cases,
                  seed.name(),
                  op,
                  m.detail(),
                  format.name().toLowerCase(Locale.ROOT),
                  v.detail(),
                  describe(seed.bytes(), small));
          if (save != null) {
            Path f = save.resolve("defect-" + cases + "-" + v.outcome() + ".pcap");
            try {
              Files.createDirectories(save);
              Files.write(f, small);
              line += "\n  saved: " + f;
            } catch (IOException e) {
              line += "\n  not saved: " + e.getMessage();
            }
          }
          defects.add(line);
          out.println(line);
          out.flush();
        }
      }
    } finally {
      try {
        Files.deleteIfExists(keyFile);
      } catch (IOException e) {
        // a temporary file left behind: harmless
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Result r = new Result(cases, secs, total, defects, compared, disagreed);
    print(r, byOp, out);
    return r;
  }

  /** A lie in a TLS length field: the mutant's table is compared with its seed's. */
  static boolean tlsLie(CaptureMutator.Mutant m) {
    return m.op() == CaptureMutator.Op.LYING_LENGTH && TLS_LAYERS.matcher(m.detail()).lookingAt();
  }

  /**
   * Runs one mutant and judges it; a TLS lie (table, no keys) whose labels differ from the seed's
   * (kept in {@code baseline} by seed name) with nothing in the output to say why is silent loss.
   */
  static CaptureFuzzer.Verdict judge(
      CaptureFuzzer fuzzer,
      Seed seed,
      CaptureMutator.Mutant m,
      Supplier<KeyMaterial> keys,
      OutputFormat format,
      Map<String, String> baseline) {
    CaptureFuzzer.Verdict v = fuzzer.run(m.bytes(), keys, format);
    if (!tlsLie(m) || format != OutputFormat.TABLE || v.outcome().defect()) return v;
    String base =
        baseline.computeIfAbsent(
            seed.name(),
            k -> fuzzer.run(seed.bytes(), KeyMaterial::none, OutputFormat.TABLE).output());
    String changed = CaptureFuzzer.changedRow(base, v.output());
    if (changed == null || CaptureFuzzer.flagged(v.output())) return v;
    return new CaptureFuzzer.Verdict(
        CaptureFuzzer.Outcome.SILENT_LOSS,
        changed + ", and nothing in the output says why",
        v.frames(),
        v.output());
  }

  private static void print(
      Result r, Map<String, EnumMap<CaptureFuzzer.Outcome, Long>> byOp, PrintWriter out) {
    out.printf(Locale.ROOT, "%-18s", "mutation");
    for (CaptureFuzzer.Outcome o : CaptureFuzzer.Outcome.values())
      out.printf(Locale.ROOT, " %14s", o.name().toLowerCase(Locale.ROOT));
    out.println();
    byOp.forEach(
        (op, counts) -> {
          out.printf(Locale.ROOT, "%-18s", op.toLowerCase(Locale.ROOT));
          for (CaptureFuzzer.Outcome o : CaptureFuzzer.Outcome.values())
            out.printf(Locale.ROOT, " %14d", counts.getOrDefault(o, 0L));
          out.println();
        });
    out.printf(
        Locale.ROOT,
        "%d cases in %.1f s: %.0f cases/s; %d defects (crash, internal error, hang, memory, silent"
            + " loss)%n",
        r.cases(),
        r.seconds(),
        r.casesPerSecond(),
        r.defectCount());
    if (r.tsharkCompared() > 0)
      out.printf(
          Locale.ROOT,
          "tshark read %d of the mutants too: %d where tshark saw damage or more frames and the lab"
              + " gave no warning%n",
          r.tsharkCompared(),
          r.tsharkDisagreed());
    out.flush();
  }

  /** A minimized input as it differs from its seed: length and changed bytes. */
  static String describe(byte[] seed, byte[] m) {
    StringBuilder sb = new StringBuilder();
    sb.append(m.length).append(" bytes (seed ").append(seed.length).append(")");
    int n = Math.min(seed.length, m.length);
    int shown = 0;
    for (int i = 0; i < n && shown < 12; i++) {
      if (seed[i] != m[i]) {
        sb.append(shown == 0 ? ", changed: " : " ").append(i).append('=');
        sb.append(HexFormat.of().toHexDigits(m[i]));
        shown++;
      }
    }
    return sb.toString();
  }

  private static void writeKeyLog(Path f, String text) {
    try {
      Files.writeString(f, text, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw LabException.environment("cannot write " + f + ": " + e.getMessage());
    }
  }

  /** What tshark made of a file: frames read, and whether it called the file damaged. */
  record TsharkView(long frames, boolean damaged, String message) {}

  private static TsharkView tshark(byte[] bytes) {
    Path f = null;
    try {
      f = Files.createTempFile("tlslab-fuzz-tshark", ".pcap");
      Files.write(f, bytes);
      Process p =
          new ProcessBuilder(
                  "tshark", "-n", "-r", f.toString(), "-T", "fields", "-e", "frame.number")
              .redirectErrorStream(false)
              .start();
      p.getOutputStream().close();
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      long frames = stdout.lines().filter(l -> !l.isBlank()).count();
      boolean damaged =
          stderr.contains("damaged or corrupt")
              || stderr.contains("cut short")
              || stderr.contains("appears to have been cut short");
      boolean unknown = stderr.contains("isn't a capture file in a format") || p.exitValue() == 2;
      if (unknown && frames == 0) return null; // tshark cannot read it either: nothing to compare
      String first =
          stderr
              .lines()
              .filter(l -> !l.isBlank() && !l.startsWith("Running as user"))
              .findFirst()
              .orElse("");
      return new TsharkView(frames, damaged, first.strip());
    } catch (IOException e) {
      return null; // no tshark: nothing to compare with
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      if (f != null) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          // a temporary file left behind: harmless
        }
      }
    }
  }

  /** A pcap file as pcapng (one interface, microseconds), its key log in a secrets block. */
  static byte[] toPcapng(byte[] pcap, String keyLog) {
    CaptureLayout l = CaptureLayout.of(pcap);
    if (l.pcapng || l.linkTypes.isEmpty()) return null;
    boolean le = (pcap[0] & 0xff) == 0xd4 || (pcap[0] & 0xff) == 0x4d;
    int link = (int) CaptureMutator.read(pcap, l.linkTypes.get(0)) & 0xffff;
    ByteArrayOutputStream o = new ByteArrayOutputStream(pcap.length * 2);
    try (CaptureWriter w = CaptureWriter.open(o, CaptureWriter.Format.PCAPNG, link, 262144, "lo")) {
      if (keyLog != null) w.secrets(keyLog);
      for (CaptureLayout.Packet p : l.packets) {
        int h = p.start();
        long sec = u32(pcap, h, le);
        long usec = u32(pcap, h + 4, le);
        int cap = (int) u32(pcap, h + 8, le);
        int orig = (int) u32(pcap, h + 12, le);
        w.frame(
            sec * 1_000_000 + usec,
            java.util.Arrays.copyOfRange(pcap, h + 16, h + 16 + cap),
            cap,
            orig);
      }
    } catch (IOException e) {
      throw new AssertionError("writing to memory", e);
    }
    return o.toByteArray();
  }

  private static long u32(byte[] b, int o, boolean le) {
    long v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | (b[o + (le ? 3 - i : i)] & 0xff);
    return v;
  }

  /** TLS 1.2 and TLS 1.3 sessions made in memory by JSSE, as Ethernet/IPv4/TCP pcap files. */
  static List<Seed> syntheticSeeds() {
    SyntheticTlsSessions s = new SyntheticTlsSessions();
    List<Seed> out = new ArrayList<>();
    int port = 40000;
    for (String v : List.of("TLSv1.2", "TLSv1.3")) {
      List<byte[]> lines = List.of("hello\n".getBytes(StandardCharsets.US_ASCII));
      List<SyntheticTlsSessions.Chunk> chunks = s.session(v, lines, lines);
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      PcapFrames p = new PcapFrames(o);
      try {
        p.header();
        p.session(chunks, port++, AnnotateBench.SERVER_PORT, 1000, 900_000);
      } catch (IOException e) {
        throw new AssertionError("writing to memory", e);
      }
      out.add(new Seed("jsse-" + v.toLowerCase(Locale.ROOT) + ".pcap", o.toByteArray(), null));
    }
    return out;
  }
}
