package tlslab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package list is the architecture: dependencies flow one way, from {@code cli} down to pure
 * protocol code. This test reads every main source file and fails on an import that goes the wrong
 * way, so a newcomer can trust the layering described in the README.
 */
class ArchitectureTest {
  /** Which lab packages each package may import (besides itself and its own internals). */
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("common", Set.of()),
          Map.entry("wire", Set.of("common")),
          Map.entry("pcap", Set.of("common")),
          Map.entry("pki", Set.of("common")),
          Map.entry("tls", Set.of("pki", "common")),
          Map.entry("chat", Set.of("common")),
          Map.entry("net", Set.of("chat", "tls", "pki", "common")),
          Map.entry("trace", Set.of("tls", "wire", "pki", "common")),
          Map.entry("annotate", Set.of("wire", "pcap", "common")),
          Map.entry("capture", Set.of("annotate", "wire", "pcap", "common")),
          Map.entry("mitm", Set.of("net", "chat", "tls", "pki", "wire", "common")),
          Map.entry(
              "bench",
              Set.of(
                  "mitm",
                  "net",
                  "chat",
                  "trace",
                  "annotate",
                  "capture",
                  "tls",
                  "pki",
                  "wire",
                  "pcap",
                  "common")),
          Map.entry(
              "demo",
              Set.of(
                  "net",
                  "chat",
                  "trace",
                  "annotate",
                  "capture",
                  "tls",
                  "pki",
                  "wire",
                  "pcap",
                  "common")),
          Map.entry(
              "exercise",
              Set.of(
                  "demo",
                  "mitm",
                  "net",
                  "chat",
                  "trace",
                  "annotate",
                  "capture",
                  "tls",
                  "pki",
                  "wire",
                  "pcap",
                  "common")),
          Map.entry(
              "cli",
              Set.of(
                  "exercise",
                  "demo",
                  "bench",
                  "mitm",
                  "net",
                  "chat",
                  "trace",
                  "annotate",
                  "capture",
                  "tls",
                  "pki",
                  "wire",
                  "pcap",
                  "common")));

  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?tlslab\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("\\btlslab\\.([a-z]+)\\.[A-Z]");

  @Test
  void dependenciesFlowFromCliDownToProtocolCode() throws IOException {
    Path root = Path.of("src/main/java/tlslab");
    List<String> violations = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).as("main sources").isNotEmpty();
    for (Path file : sources) {
      String pkg = root.relativize(file).getName(0).toString();
      if (file.getParent().equals(root)) {
        violations.add(file + ": classes belong in a package below tlslab");
        continue;
      }
      assertThat(ALLOWED)
          .as("package tlslab.%s is not in the architecture table", pkg)
          .containsKey(pkg);
      String text = Files.readString(file);
      for (Pattern p : List.of(IMPORT, QUALIFIED)) {
        Matcher m = p.matcher(text);
        while (m.find()) {
          String target = m.group(1);
          if (!target.equals(pkg) && !ALLOWED.get(pkg).contains(target)) {
            violations.add(file + ": tlslab." + pkg + " must not depend on tlslab." + target);
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theTableItselfHasNoCycles() {
    for (String from : ALLOWED.keySet()) {
      for (String to : ALLOWED.get(from)) {
        assertThat(ALLOWED.get(to))
            .as("%s -> %s -> %s is a cycle", from, to, from)
            .doesNotContain(from);
      }
    }
  }
}
