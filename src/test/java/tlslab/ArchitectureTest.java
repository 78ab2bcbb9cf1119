package tlslab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package list is the architecture: dependencies flow one way, from {@code cli} down to pure
 * protocol code. This test reads every main source file and fails on an import that goes the wrong
 * way. Every package is a node, sub-packages included ({@code exercise.checks}, {@code
 * pki.internal}): a sub-package may use its parent's siblings below it, but a parent and its
 * sub-package must not use each other both ways. The graph found in the code must be free of
 * cycles, and the README's package diagram must state exactly the top-level dependencies the code
 * has, so a newcomer can trust it.
 */
class ArchitectureTest {
  /** Which lab packages each package may import (besides itself). */
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("common", Set.of()),
          Map.entry("wire", Set.of("common")),
          Map.entry("pcap", Set.of("common")),
          Map.entry("pki.internal", Set.of("common")),
          Map.entry("pki", Set.of("pki.internal", "common")),
          Map.entry("tls", Set.of("pki", "common")),
          Map.entry("chat", Set.of("common")),
          Map.entry("net", Set.of("chat", "tls", "pki", "wire", "common")),
          Map.entry("trace.internal", Set.of("pki", "common")),
          Map.entry("trace", Set.of("trace.internal", "tls", "wire", "pki", "common")),
          Map.entry("quic", Set.of("wire", "common")),
          Map.entry("annotate", Set.of("quic", "wire", "pcap", "common")),
          Map.entry("annotate.html", Set.of("annotate", "common", "pcap")),
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
                  "annotate.html",
                  "capture",
                  "tls",
                  "pki",
                  "quic",
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
                  "annotate.html",
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
              "exercise.checks",
              Set.of(
                  "exercise",
                  "mitm",
                  "demo",
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
                  "exercise.checks",
                  "demo",
                  "bench",
                  "mitm",
                  "net",
                  "chat",
                  "trace",
                  "annotate",
                  "annotate.html",
                  "capture",
                  "tls",
                  "pki",
                  "wire",
                  "pcap",
                  "common")));

  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?tlslab\\.([a-z][a-z0-9.]*?)\\.[A-Z]", Pattern.MULTILINE);
  private static final Pattern QUALIFIED =
      Pattern.compile("\\btlslab\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

  private static final Pattern CHAR = Pattern.compile("'(?:[^'\\\\\n]|\\\\.[^']*)'");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\\n]|\\\\.)*\"");

  private static final Path ROOT = Path.of("src/main/java/tlslab");

  /** The lab packages each package uses, read from the sources (imports and qualified names). */
  static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> deps = new TreeMap<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(ROOT)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).as("main sources").isNotEmpty();
    for (Path file : sources) {
      if (file.getParent().equals(ROOT)) continue;
      String pkg = ROOT.relativize(file.getParent()).toString().replace('/', '.');
      Set<String> used = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
      String text = Files.readString(file);
      // A class named in a string ("tlslab.cli.Main" for a child process) is no compile-time
      // dependency: string literals are not searched.
      String code = STRING.matcher(CHAR.matcher(text).replaceAll("' '")).replaceAll("\"\"");
      for (Pattern p : List.of(IMPORT, QUALIFIED)) {
        Matcher m = p.matcher(code);
        while (m.find()) {
          String target = m.group(1);
          if (!target.equals(pkg)) used.add(target);
        }
      }
    }
    return deps;
  }

  @Test
  void dependenciesFlowFromCliDownToProtocolCode() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files
          .filter(p -> p.toString().endsWith(".java") && p.getParent().equals(ROOT))
          .forEach(p -> violations.add(p + ": classes belong in a package below tlslab"));
    }
    for (Map.Entry<String, Set<String>> e : dependencies().entrySet()) {
      String pkg = e.getKey();
      assertThat(ALLOWED)
          .as("package tlslab.%s is not in the architecture table", pkg)
          .containsKey(pkg);
      for (String target : e.getValue()) {
        if (!ALLOWED.get(pkg).contains(target)) {
          violations.add("tlslab." + pkg + " must not depend on tlslab." + target);
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theCodeHasNoCyclesSubPackagesIncluded() throws IOException {
    assertThat(cycle(dependencies())).as("a dependency cycle in the code").isEmpty();
  }

  @Test
  void theTableItselfHasNoCycles() {
    assertThat(cycle(ALLOWED)).as("a cycle in the architecture table").isEmpty();
  }

  @Test
  void aCycleIsSeen() {
    // The check itself must be able to fail: the two cycles the issue found, as they were.
    Map<String, Set<String>> before =
        Map.of(
            "exercise", Set.of("exercise.checks"),
            "exercise.checks", Set.of("exercise"),
            "pki", Set.of("pki.internal"),
            "pki.internal", Set.of("pki"));
    assertThat(cycle(before)).isNotEmpty();
  }

  /**
   * The README's diagram line names, for each top-level package, what it uses: it must match the
   * code exactly (no claimed dependency that does not exist, none missing).
   */
  @Test
  void theReadmeDiagramMatchesTheCode() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("<!-- packages -->");
    int end = readme.indexOf("<!-- /packages -->");
    assertThat(start).as("README marks its package diagram with <!-- packages -->").isPositive();
    assertThat(end).isGreaterThan(start);
    Map<String, Set<String>> claimed = new TreeMap<>();
    Matcher m =
        Pattern.compile("^\\s*(?:- )?`([a-z.]+)`\\s*→\\s*(.*)$", Pattern.MULTILINE)
            .matcher(readme.substring(start, end));
    while (m.find()) {
      Set<String> to = new TreeSet<>();
      Matcher t = Pattern.compile("`([a-z.]+)`").matcher(m.group(2));
      while (t.find()) to.add(t.group(1));
      claimed.put(m.group(1), to);
    }
    Map<String, Set<String>> actual = new TreeMap<>();
    for (Map.Entry<String, Set<String>> e : dependencies().entrySet()) {
      if (!e.getValue().isEmpty()) actual.put(e.getKey(), e.getValue());
    }
    assertThat(claimed).isEqualTo(actual);
  }

  /** A cycle in {@code graph} as "a -> b -> a", or "" if there is none. */
  static String cycle(Map<String, Set<String>> graph) {
    Map<String, Integer> state = new TreeMap<>(); // 1 on the stack, 2 done
    for (String start : graph.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      String found = visit(start, graph, state, path);
      if (!found.isEmpty()) return found;
    }
    return "";
  }

  private static String visit(
      String node, Map<String, Set<String>> graph, Map<String, Integer> state, Deque<String> path) {
    Integer st = state.get(node);
    if (st != null && st == 2) return "";
    if (st != null && st == 1) {
      List<String> p = new ArrayList<>(path);
      java.util.Collections.reverse(p);
      int i = p.indexOf(node);
      return String.join(" -> ", p.subList(i, p.size())) + " -> " + node;
    }
    state.put(node, 1);
    path.push(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      String c = visit(next, graph, state, path);
      if (!c.isEmpty()) return c;
    }
    path.pop();
    state.put(node, 2);
    return "";
  }
}
