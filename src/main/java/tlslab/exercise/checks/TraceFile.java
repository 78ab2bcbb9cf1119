package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A trace from {@code lab trace --trace-json FILE} read back: one JSON object per line, as {@code
 * tlslab.trace.TraceEvent#toJson} writes them. Only the flat shape that method produces is
 * understood (string, number and string-array values); anything else makes the file unreadable,
 * which a checker reports as a failed requirement.
 */
final class TraceFile {
  /**
   * One event: who logged which message, sent ({@code produced}) or received ({@code consumed});
   * for a Certificate, the SHA-256 fingerprints of its chain, leaf first (empty when absent).
   */
  record Event(
      String side,
      int connection,
      String direction,
      String message,
      String variant,
      List<String> certificateSha256,
      String random,
      String sessionId) {
    boolean produced() {
      return "produced".equals(direction);
    }
  }

  /** Largest trace read: an exercise's trace is a few KiB. */
  static final long MAX_BYTES = 16L << 20;

  private final List<Event> events;
  private final String problem;

  private TraceFile(List<Event> events, String problem) {
    this.events = events;
    this.problem = problem;
  }

  /** Reads {@code file}; a missing or malformed file gives {@link #problem()}. */
  static TraceFile read(Path file) {
    if (!Files.isRegularFile(file)) {
      return new TraceFile(List.of(), file + " does not exist");
    }
    List<String> lines;
    try {
      if (Files.size(file) > MAX_BYTES) {
        return new TraceFile(
            List.of(),
            file
                + " is larger than a lab trace of an exercise (at most 16 MiB): trace only the"
                + " exercise's run");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      return new TraceFile(List.of(), file + ": unreadable (" + e.getMessage() + ")");
    }
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      Map<String, Object> o = new Parser(line).object();
      if (o == null
          || !(o.get("message") instanceof String m)
          || !(o.get("side") instanceof String s)
          || !(o.get("direction") instanceof String d)
          || !(o.get("connection") instanceof Long c)) {
        return new TraceFile(
            List.of(),
            file + " line " + (i + 1) + " is not a lab trace event (lab trace --trace-json)");
      }
      Object v = o.get("variant");
      List<String> sha256 = new ArrayList<>();
      if (o.get("certificate_sha256") instanceof List<?> l) {
        l.forEach(x -> sha256.add((String) x)); // the parser makes arrays of strings only
      }
      events.add(
          new Event(
              s,
              c.intValue(),
              d,
              m,
              v instanceof String vs ? vs : null,
              List.copyOf(sha256),
              o.get("random") instanceof String rnd ? rnd.toLowerCase(java.util.Locale.ROOT) : "",
              o.get("session_id") instanceof String sid
                  ? sid.toLowerCase(java.util.Locale.ROOT)
                  : ""));
    }
    if (events.isEmpty()) {
      return new TraceFile(List.of(), file + " is empty");
    }
    return new TraceFile(List.copyOf(events), null);
  }

  String problem() {
    return problem;
  }

  List<Event> events() {
    return events;
  }

  /** The connection numbers, in order. */
  List<Integer> connections() {
    return List.copyOf(new TreeSet<>(events.stream().map(Event::connection).toList()));
  }

  /** Whether {@code side} produced {@code message} on connection {@code id}. */
  boolean produced(int id, String side, String message) {
    return events.stream()
        .anyMatch(
            e ->
                e.connection() == id
                    && e.produced()
                    && e.side().equals(side)
                    && e.message().equals(message));
  }

  /**
   * The SHA-256 fingerprint of the server's certificate on connection {@code id}: the leaf of the
   * Certificate the server produced, else of the one the client consumed; empty when the trace has
   * none (a trace made before fingerprints were recorded, or edited).
   */
  Optional<String> serverCertificateSha256(int id) {
    for (String[] who : new String[][] {{"server", "produced"}, {"client", "consumed"}}) {
      Optional<String> leaf =
          events.stream()
              .filter(
                  e ->
                      e.connection() == id
                          && e.side().equals(who[0])
                          && e.direction().equals(who[1])
                          && e.message().equals("Certificate")
                          && !e.certificateSha256().isEmpty())
              .map(e -> e.certificateSha256().get(0))
              .findFirst();
      if (leaf.isPresent()) {
        return leaf;
      }
    }
    return Optional.empty();
  }

  /** The random of the Client Hello the client produced on connection {@code id}, or "". */
  String clientRandom(int id) {
    return events.stream()
        .filter(
            e ->
                e.connection() == id
                    && e.produced()
                    && e.side().equals("client")
                    && e.message().equals("Client Hello"))
        .map(Event::random)
        .findFirst()
        .orElse("");
  }

  /** The messages produced on connection {@code id}, by either side, in file order. */
  List<String> messages(int id) {
    return events.stream()
        .filter(e -> e.connection() == id && e.produced())
        .map(Event::message)
        .distinct()
        .toList();
  }

  /** A minimal parser for one flat JSON object (RFC 8259): null when the text is not one. */
  private static final class Parser {
    private final String s;
    private int p;

    Parser(String s) {
      this.s = s;
    }

    Map<String, Object> object() {
      try {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        ws();
        if (peek() == '}') {
          p++;
          return end(out);
        }
        while (true) {
          ws();
          String key = string();
          ws();
          expect(':');
          ws();
          out.put(key, value());
          ws();
          char c = next();
          if (c == '}') {
            return end(out);
          }
          if (c != ',') {
            return null;
          }
        }
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        return null;
      }
    }

    private Map<String, Object> end(Map<String, Object> out) {
      ws();
      return p == s.length() ? out : null;
    }

    private Object value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '[') {
        p++;
        List<String> items = new ArrayList<>();
        ws();
        if (peek() == ']') {
          p++;
          return items;
        }
        while (true) {
          ws();
          items.add(string());
          ws();
          char n = next();
          if (n == ']') {
            return items;
          }
          if (n != ',') {
            throw new IllegalArgumentException("array");
          }
        }
      }
      // true and false: a lab trace's flags, such as session_ticket_offered.
      for (String literal : new String[] {"true", "false"}) {
        if (s.startsWith(literal, p)) {
          p += literal.length();
          return Boolean.valueOf(literal);
        }
      }
      int start = p;
      while (p < s.length() && (Character.isDigit(s.charAt(p)) || s.charAt(p) == '-')) {
        p++;
      }
      if (start == p) {
        throw new IllegalArgumentException("value");
      }
      return Long.parseLong(s.substring(start, p));
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
            p += 4;
          }
          default -> b.append(e); // \" \\ \/
        }
      }
    }

    private void ws() {
      while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
        p++;
      }
    }

    private char peek() {
      return s.charAt(p);
    }

    private char next() {
      return s.charAt(p++);
    }

    private void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException("expected " + c);
      }
    }
  }
}
