package tlslab.exercise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import tlslab.annotate.Annotator;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;

/** Test helpers: run a checker, pick its failures, cut captures, ask tshark. */
final class Evidence {
  private Evidence() {}

  static Report check(Checker checker, Path work) {
    return checker.check(new Workspace(work, Optional.empty()));
  }

  static Report check(Checker checker, Path work, String student) {
    return checker.check(new Workspace(work, Optional.of(student)));
  }

  static List<Report.Item> failures(Report r) {
    return r.items().stream().filter(i -> !i.ok()).toList();
  }

  /** The one failed item whose requirement contains {@code requirement}. */
  static Report.Item failed(Report r, String requirement) {
    List<Report.Item> f =
        failures(r).stream().filter(i -> i.requirement().contains(requirement)).toList();
    if (f.size() != 1) {
      throw new AssertionError("expected one failed item '" + requirement + "', got " + r.items());
    }
    return f.get(0);
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a capture as a student copies one under another name: with the record lab capture kept
   * beside it ({@code FILE.stats}), so that the copy's record is the copied capture's own (or none,
   * when the source has none).
   */
  static void copyCapture(Path from, Path to) {
    copy(from, to);
    Path stats = from.resolveSibling(from.getFileName() + ".stats");
    Path toStats = to.resolveSibling(to.getFileName() + ".stats");
    try {
      if (Files.isRegularFile(stats)) {
        copy(stats, toStats);
      } else {
        Files.deleteIfExists(toStats);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a classic pcap keeping only the frames whose number (1-based) passes {@code keep}. A
   * record lab capture left beside {@code dst} ({@code FILE.stats}) is made to count the frames
   * kept, as if the capture had only seen those: what a capture started late, stopped early or
   * filtered on one port writes.
   */
  static void keepFrames(Path src, Path dst, LongPredicate keep) {
    try {
      byte[] in = Files.readAllBytes(src);
      ByteBuffer b = ByteBuffer.wrap(in);
      int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
      b.order(
          magic == 0xa1b2c3d4 || magic == 0xa1b23c4d
              ? ByteOrder.BIG_ENDIAN
              : ByteOrder.LITTLE_ENDIAN);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.write(in, 0, 24);
      int p = 24;
      long n = 0;
      while (p + 16 <= in.length) {
        int incl = b.getInt(p + 8);
        n++;
        if (keep.test(n)) {
          out.write(in, p, 16 + incl);
        }
        p += 16 + incl;
      }
      Files.createDirectories(dst.getParent());
      Files.write(dst, out.toByteArray());
      Path stats = dst.resolveSibling(dst.getFileName() + ".stats");
      if (Files.isRegularFile(stats)) {
        long kept = java.util.stream.LongStream.rangeClosed(1, n).filter(keep).count();
        Files.writeString(
            stats,
            Files.readString(stats)
                .replaceAll("(?m)^written=\\d+$", "written=" + kept)
                .replaceAll("(?m)^received=\\d+$", "received=" + kept));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of the first frame whose Info column (the lab's annotator) holds {@code label}. */
  static long firstFrameLabelled(Path pcap, String label) {
    Annotator a = new Annotator(KeyMaterial.none(), false);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(pcap)) {
      while (r.next(f)) {
        Row row = a.annotate(f);
        if (row.info.contains(label)) {
          return row.number;
        }
      }
    }
    throw new AssertionError(pcap + " has no frame labelled " + label);
  }

  /** The lab annotator's facts of the first TLS connection of {@code pcap}. */
  static ConnectionFacts facts(Path pcap) {
    Annotator a = new Annotator(KeyMaterial.none(), false);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(pcap)) {
      while (r.next(f)) {
        a.annotate(f);
      }
    }
    return a.facts().get(0);
  }

  /**
   * tshark's Info column per frame number, the oracle for what Wireshark labels: the capture's
   * server port is decoded as TLS.
   */
  static Map<Long, String> tsharkInfo(Path pcap, int serverPort) {
    List<String> cmd =
        List.of(
            "tshark",
            "-r",
            pcap.toString(),
            "-d",
            "tcp.port==" + serverPort + ",tls",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.col.Info");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("tshark failed: " + cmd);
      }
      Map<Long, String> info = new LinkedHashMap<>();
      for (String line : out.split("\n")) {
        String[] f = line.split("\t", 2);
        if (f.length == 2) {
          info.put(Long.parseLong(f[0].strip()), f[1].strip());
        }
      }
      return info;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** tshark's first frame whose Info lists {@code label} as one of its messages. */
  static long tsharkFirst(Map<Long, String> info, String label) {
    List<Long> frames = new ArrayList<>();
    info.forEach(
        (n, i) -> {
          for (String part : i.split(",")) {
            if (part.strip().equals(label)) {
              frames.add(n);
            }
          }
        });
    if (frames.isEmpty()) {
      throw new AssertionError("tshark labels no frame " + label + ": " + info);
    }
    return frames.get(0);
  }

  /** tshark's reading of one field of the first frame matching {@code filter}, as it prints it. */
  static String tsharkField(Path pcap, String filter, String field) {
    int port = serverPort(facts(pcap));
    List<String> cmd =
        List.of(
            "tshark",
            "-r",
            pcap.toString(),
            "-d",
            "tcp.port==" + port + ",tls",
            "-Y",
            filter,
            "-T",
            "fields",
            "-e",
            field);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isBlank()) {
        throw new AssertionError("tshark failed or found nothing: " + cmd + ": " + out);
      }
      return out.split("\n")[0].strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The Server Hello random of a capture as tshark prints it (the exercise-4 command). */
  static String tsharkServerRandom(Path pcap) {
    return tsharkField(pcap, "tls.handshake.type == 2", "tls.handshake.random");
  }

  /**
   * The pre-master secret of the report capture in {@code work}, as exercise 5 has the student get
   * it: tshark prints the Client Key Exchange's encrypted pre-master secret, openssl decrypts it
   * with {@code server.key}. Neither tool is the lab's, so the checker is held to what they say.
   */
  static String opensslPremaster(Path work) {
    String epms =
        tsharkField(
            work.resolve("captures/04-report.pcap"),
            "tls.handshake.type == 16",
            "tls.handshake.epms");
    List<String> cmd =
        List.of(
            "openssl",
            "pkeyutl",
            "-decrypt",
            "-inkey",
            work.resolve("certs/server.key").toString());
    try {
      Process p = new ProcessBuilder(cmd).start();
      try (var in = p.getOutputStream()) {
        in.write(java.util.HexFormat.of().parseHex(epms));
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.length != 48) {
        throw new AssertionError("openssl did not decrypt the pre-master secret: " + cmd);
      }
      return java.util.HexFormat.of().formatHex(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** What {@code lab annotate ARGS} prints (stdout), run in this process. */
  static String annotate(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cmd = tlslab.cli.Main.commandLine();
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
    String[] all = new String[args.length + 1];
    all[0] = "annotate";
    System.arraycopy(args, 0, all, 1, args.length);
    cmd.execute(all);
    return out.toString();
  }

  /** The server's /whoami reply in a report capture, as {@code lab annotate --key} prints it. */
  static String printedWhoamiReply(Path work) {
    String out =
        annotate(
            work.resolve("captures/04-report.pcap").toString(),
            "--key",
            work.resolve("certs/server.key").toString());
    return out.lines()
        .map(String::strip)
        .filter(l -> l.startsWith("| * you are ") && l.contains(" from "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no /whoami reply in:\n" + out));
  }

  /**
   * The frame under which {@code lab annotate} printed the first line starting with {@code prefix}
   * (stripped): the number of the last row line above it, as a student reads it.
   */
  static long printedFrameOf(String annotateOutput, java.util.function.Predicate<String> line) {
    long frame = -1;
    java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\s*(\\d+)\\s+\\d+\\.\\d+\\s");
    for (String l : annotateOutput.lines().toList()) {
      java.util.regex.Matcher m = row.matcher(l);
      if (m.find()) {
        frame = Long.parseLong(m.group(1));
      } else if (line.test(l.strip())) {
        return frame;
      }
    }
    throw new AssertionError("no such line in:\n" + annotateOutput);
  }

  /** The frame carrying the server's /whoami reply in a report capture, as annotate --key shows. */
  static long printedWhoamiFrame(Path work) {
    return printedFrameOf(
        annotate(
            work.resolve("captures/04-report.pcap").toString(),
            "--key",
            work.resolve("certs/server.key").toString()),
        Evidence::isWhoamiReply);
  }

  /** The server's /whoami reply as annotate prints it: "| * you are NAME from ADDR, ...". */
  static boolean isWhoamiReply(String line) {
    return line.startsWith("| * you are ") && line.contains(" from ");
  }

  static int serverPort(ConnectionFacts c) {
    return Integer.parseInt(c.server().substring(c.server().lastIndexOf(':') + 1));
  }
}
