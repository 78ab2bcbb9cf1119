package tlslab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user's mistakes get: one clear line, the README's exit code, no stack trace, and no
 * file lost or half written. Found by following the README from a clean clone.
 */
class BadInputTest {
  @TempDir Path dir;

  private String out;
  private String err;

  private int run(String... args) {
    CliRun.Result r = CliRun.run(args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private void assertOneLine() {
    assertThat(err.strip().lines()).hasSize(1);
    assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** A folder is named a folder, not "not a pcap (too short)". */
  @Test
  void annotatingAFolderSaysItIsAFolder() {
    assertThat(run("annotate", dir.toString())).isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(dir + ": is a folder, not a capture file");
  }

  /** An existing --out is refused with exit 6, the README's "refused to overwrite" code. */
  @Test
  void anExistingOutFileIsRefusedWithExit6AndKept() throws Exception {
    Path page = Files.writeString(dir.resolve("mine.txt"), "mine");
    assertThat(run("annotate", ColorOptionTest.capture().toString(), "--out", page.toString()))
        .isEqualTo(6);
    assertOneLine();
    assertThat(err).contains("exists (use --force to overwrite)");
    assertThat(Files.readString(page)).isEqualTo("mine");

    assertThat(
            run(
                "annotate",
                ColorOptionTest.capture().toString(),
                "--out",
                page.toString(),
                "--force"))
        .isZero();
    assertThat(Files.readString(page)).contains("Client Hello");
  }

  /**
   * A capture that cannot be read leaves --out as it was, even with --force: the report is written
   * beside it and moved into place only when complete. (It used to be emptied before the capture
   * was opened.)
   */
  @Test
  void aBadCaptureLeavesTheOutFileAsItWasAndNoPartFile() throws Exception {
    Path junk = Files.write(dir.resolve("junk.pcap"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    Path report = Files.writeString(dir.resolve("report.txt"), "last week's report");
    assertThat(run("annotate", junk.toString(), "--out", report.toString(), "--force"))
        .isEqualTo(3);
    assertOneLine();
    assertThat(Files.readString(report)).isEqualTo("last week's report");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("junk.pcap", "report.txt");
    }

    Path missing = dir.resolve("new.txt");
    assertThat(run("annotate", dir.resolve("none.pcap").toString(), "--out", missing.toString()))
        .isEqualTo(3);
    assertThat(missing).doesNotExist();
  }

  @Test
  void aFolderAsOutputIsBadInputNotRefusedOverwrite() {
    assertThat(run("annotate", ColorOptionTest.capture().toString(), "--out", dir.toString()))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).contains("is a folder").doesNotContain("--force");
    assertThat(run("trace", "--trace-json", dir.toString())).isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(dir + ": is a folder").doesNotContain("--force");
  }

  /**
   * {@code lab trace} with a bad input says that alone: its header ("lab trace: profile modern,
   * ...") came first, and an empty {@code --trace-json} file was left behind; with {@code --force}
   * the last run's trace was emptied by a run that never started.
   */
  @Test
  void traceWithABadInputSaysOnlyThatAndWritesNoFile() throws Exception {
    Path json = dir.resolve("t.jsonl");
    assertThat(run("trace", "--keylog", dir.toString(), "--trace-json", json.toString()))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).startsWith("lab trace: " + dir + ": cannot write the key log");
    assertThat(out).isEmpty();
    assertThat(json).doesNotExist();

    Files.writeString(json, "last run\n");
    Path none = dir.resolve("none");
    assertThat(run("trace", "--certs", none.toString(), "--trace-json", json.toString(), "--force"))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).startsWith("lab trace: " + none.resolve("server.p12"));
    assertThat(out).isEmpty();
    assertThat(Files.readString(json)).isEqualTo("last run\n");
  }

  /**
   * A port out of range is an invalid value: exit 2 and nothing else printed. {@code lab ca ocsp}
   * printed a stack trace (IllegalArgumentException, exit 70); trace and client said exit 3, "bad
   * input file".
   */
  @Test
  void aPortOutOfRangeIsAUsageErrorInEveryCommand() {
    String ca = dir.resolve("ca").toString();
    assertThat(run("certs", "init", "--dir", ca, "--key", "ec-p256")).isZero();
    String[][] commands = {
      {"trace", "--port", "70000"},
      {"client", "--ca", ca + "/ca.pem", "--port", "70000"},
      {"client", "--ca", ca + "/ca.pem", "--port", "0"},
      {"ca", "ocsp", "--dir", ca, "--port", "70000"},
      {"capture", "--port", "70000"},
      {"server", "--certs", ca, "--port", "70000"},
      {"server", "--certs", ca, "--port", "-1"},
    };
    for (String[] c : commands) {
      String what = String.join(" ", c);
      assertThat(run(c)).as(what).isEqualTo(2);
      assertThat(err.lines().findFirst().orElse(""))
          .as(what)
          .containsPattern(
              "^lab [a-z ]+: Invalid value for option '--port': a port is [01]\\.\\.65535, got"
                  + " (70000|0|-1)$");
      assertThat(err).as(what).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(out).as(what).isEmpty();
    }
  }

  /**
   * {@code lab capture --out FOLDER --force} replaced an empty folder with the capture file, and
   * {@code --keylog FOLDER} was found out only at the end: a capture without keys left as
   * FILE.partial, the error after the capture's lines.
   */
  @Test
  void captureRefusesAFolderAsOutOrKeyLogBeforeCapturing() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("captures"));
    assertThat(run("capture", "--out", folder.toString(), "--force", "--duration", "1"))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(folder + ": is a folder");
    assertThat(folder).isEmptyDirectory();

    Path pcapng = dir.resolve("x.pcapng");
    assertThat(
            run(
                "capture",
                "--keylog",
                folder.toString(),
                "--out",
                pcapng.toString(),
                "--duration",
                "1"))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(folder + ": is a folder");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("captures");
    }
  }

  /**
   * {@code lab demo} with a file as {@code --captures} printed its title and first steps, then
   * "cannot create"; {@code --out FOLDER} was "exists (use --force)", as if --force should replace
   * the folder.
   */
  @Test
  void demoRefusesAFileAsCapturesFolderAndAFolderAsPageBeforeItStarts() throws Exception {
    Path file = Files.writeString(dir.resolve("captures"), "mine");
    assertThat(run("demo", "--captures", file.toString())).isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(file + ": is a file; --captures names a folder");
    assertThat(out).isEmpty();
    assertThat(Files.readString(file)).isEqualTo("mine");

    Path folder = Files.createDirectory(dir.resolve("page"));
    assertThat(
            run(
                "demo",
                "--html",
                "--out",
                folder.toString(),
                "--force",
                "--captures",
                dir.resolve("c").toString()))
        .isEqualTo(3);
    assertOneLine();
    assertThat(err).contains(folder + ": is a folder");
    assertThat(out).isEmpty();
    assertThat(folder).isEmptyDirectory();
  }

  /** A file that is not PKCS#12 at all: said so, without the "(null)" of a message-less error. */
  @Test
  void aClientCertificateThatIsNoPkcs12IsOneLineWithoutNull() throws Exception {
    String ca = dir.resolve("ca").toString();
    assertThat(run("certs", "init", "--dir", ca, "--key", "ec-p256")).isZero();
    Path junk = Files.writeString(dir.resolve("me.p12"), "not a key store\n");
    assertThat(run("client", "--ca", ca + "/ca.pem", "--cert", junk.toString())).isEqualTo(3);
    assertOneLine();
    assertThat(err.strip())
        .isEqualTo("lab client: " + junk + ": not a PKCS#12 store readable with the lab password");
  }

  /** A mistyped option is named as such, also when the FILE is missing too. */
  @Test
  void aMistypedOptionIsNamedBeforeAMissingFile() {
    assertThat(run("annotate", "--colour=always")).isEqualTo(2);
    assertThat(err.lines().findFirst().orElse(""))
        .isEqualTo("lab annotate: Unknown option: '--colour'");
    assertThat(run("certs", "show", "--pem")).isEqualTo(2);
    assertThat(err).startsWith("lab certs show: Unknown option: '--pem'");
    assertThat(run("certs", "show")).isEqualTo(2);
    assertThat(err).startsWith("lab certs show: Missing required parameter: 'FILE'");
  }

  /**
   * {@code lab --help} lists each command with its summary: none is cut off mid-sentence (the
   * completion command's ended in "(or save it under").
   */
  @Test
  void everyCommandSummaryInTheMainHelpIsAWholeSentence() {
    assertThat(run("--help")).isZero();
    List<String> summaries = new ArrayList<>();
    boolean commands = false;
    for (String line : out.lines().toList()) {
      if (line.equals("Commands:")) {
        commands = true;
      } else if (commands && line.isBlank()) {
        break;
      } else if (commands && line.startsWith("  ") && !line.startsWith("   ")) {
        summaries.add(line.strip());
      } else if (commands) {
        summaries.set(
            summaries.size() - 1, summaries.get(summaries.size() - 1) + " " + line.strip());
      }
    }
    assertThat(summaries).hasSizeGreaterThan(10);
    assertThat(summaries)
        .allSatisfy(s -> assertThat(s).as(s).endsWith("."))
        .allSatisfy(
            s ->
                assertThat(s.chars().filter(c -> c == '(').count())
                    .as("balanced parentheses: %s", s)
                    .isEqualTo(s.chars().filter(c -> c == ')').count()));
  }

  /** A mistyped --client-auth is a usage error (exit 2) in every command that has the option. */
  @Test
  void aMistypedClientAuthModeIsAUsageErrorEverywhere() {
    for (String command : new String[] {"server", "trace"}) {
      assertThat(run(command, "--client-auth", "maybe")).as(command).isEqualTo(2);
      assertThat(err).as(command).contains("'--client-auth'").contains("none, want, need");
      assertThat(err).doesNotContain("Exception");
    }
  }
}
