package tlslab.exercise.checks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.annotate.Annotator;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Payload;
import tlslab.annotate.Row;
import tlslab.annotate.TlsMessage;
import tlslab.capture.CaptureStats;
import tlslab.common.LabException;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pcap.PacketDecoder;
import tlslab.pcap.TcpDirection;
import tlslab.pcap.TcpPacket;
import tlslab.pki.CertificateSummary;
import tlslab.pki.ClassChallenge;

/**
 * A student's capture read back through the lab's annotator: every row as Wireshark labels it, the
 * facts of each TLS connection and, when keys were given, the decrypted chat lines. Reading never
 * throws: a missing, foreign or damaged file gives {@link #problem()} instead, which a checker
 * turns into a failed requirement.
 *
 * <p>This is the exercise package's only reader of captures: checkers ask it for values (facts,
 * randoms, decrypted lines, challenges), never parse the annotator's display strings themselves, so
 * that a change in how annotate represents its output is made here alone.
 */
final class CaptureEvidence {
  /**
   * The hello randoms and session id of one connection, in lower-case hex (RFC 5246 §7.4.1.2): what
   * makes a handshake unique, so a trace can be matched to it.
   */
  record Hellos(String clientRandom, String serverRandom, String sessionId) {}

  /** Largest capture read, as large as a grader accepts ({@code Submission}: 64 MiB a file). */
  static final long MAX_BYTES = 64L << 20;

  /**
   * Most frames read: an exercise's capture has tens to thousands; a file of millions of empty
   * frames (a few bytes each) would otherwise hold the checker for minutes and fill its memory.
   */
  static final int MAX_FRAMES = 200_000;

  private static final Pattern CHALLENGE = Pattern.compile(ClassChallenge.PREFIX + "[0-9a-f]{20}");

  private final Path file;
  private final String problem;
  private final List<Row> rows;
  private final List<ConnectionFacts> facts;
  private final Map<Integer, Hellos> hellos;
  private final Completeness completeness;
  private final List<String> secretsInside;
  private final Map<Integer, List<HandshakeProof.Message>> handshakes;
  private final KeyMaterial keys;

  private CaptureEvidence(
      Path file,
      String problem,
      List<Row> rows,
      List<ConnectionFacts> facts,
      Map<Integer, Hellos> hellos,
      Completeness completeness,
      List<String> secretsInside,
      Map<Integer, List<HandshakeProof.Message>> handshakes,
      KeyMaterial keys) {
    this.file = file;
    this.problem = problem;
    this.rows = rows;
    this.facts = facts;
    this.hellos = hellos;
    this.completeness = completeness;
    this.secretsInside = secretsInside;
    this.handshakes = handshakes;
    this.keys = keys;
  }

  private CaptureEvidence(Path file, String problem) {
    this(
        file,
        problem,
        List.of(),
        List.of(),
        Map.of(),
        Completeness.UNKNOWN,
        List.of(),
        Map.of(),
        KeyMaterial.none());
  }

  /**
   * Reads {@code file}, decrypting with {@code keys} where they fit and with the keys a pcapng file
   * carries in a Decryption Secrets Block (what {@code lab capture --keylog} writes), as Wireshark
   * does.
   */
  static CaptureEvidence read(Path file, KeyMaterial keys) {
    return read(file, keys, true);
  }

  /**
   * Reads {@code file}, decrypting with {@code keys}; with {@code secretsInside} also with the keys
   * a pcapng Decryption Secrets Block carries. Checks whose point is what one given key can decrypt
   * (exercise 5: the server's key alone) pass false, so that keys inside the file prove nothing
   * there. {@code keys} is filled with those keys.
   */
  static CaptureEvidence read(Path file, KeyMaterial keys, boolean secretsInside) {
    if (!Files.isRegularFile(file)) {
      return new CaptureEvidence(file, file + " does not exist");
    }
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        return new CaptureEvidence(
            file,
            file
                + " is "
                + (size >> 20)
                + " MiB, more than any exercise's capture (at most 64 MiB, what a grader"
                + " accepts): capture only the exercise's port");
      }
    } catch (java.io.IOException e) {
      return new CaptureEvidence(file, file + ": unreadable (" + e.getMessage() + ")");
    }
    Completeness completeness;
    try {
      completeness = new Completeness(CaptureStats.readFor(file), null);
    } catch (LabException e) {
      completeness =
          new Completeness(
              Optional.empty(),
              e.getMessage()
                  + ": it is not the record lab capture wrote, so how complete "
                  + file.getFileName()
                  + " is cannot be told");
    }
    List<Row> rows = new ArrayList<>();
    Map<Integer, Hellos> hellos = new LinkedHashMap<>();
    List<String> inside = new ArrayList<>();
    Map<Integer, List<HandshakeProof.Message>> handshakes = new LinkedHashMap<>();
    // Fields on: the annotator then keeps the bytes of messages that are not in one frame
    // (reassembled, decrypted), which the handshake's proofs are computed over.
    Annotator annotator = new Annotator(keys, new Annotator.Options(false, true, false, false));
    Frame f = new Frame();
    TcpPacket tcp = new TcpPacket();
    long cut = 0;
    long holes = 0;
    long firstHole = 0;
    try (CaptureReader r = CaptureReader.open(file)) {
      r.onSecrets(
          s -> {
            if (s.tlsKeyLog()) {
              Arrays.stream(new String(s.data(), StandardCharsets.US_ASCII).split("\r?\n"))
                  .map(String::strip)
                  .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                  .forEach(inside::add);
              if (secretsInside) {
                keys.addKeyLogFromCapture(s.data());
              }
            }
          });
      while (r.next(f)) {
        if (rows.size() >= MAX_FRAMES) {
          return new CaptureEvidence(
              file,
              file
                  + " holds more than "
                  + MAX_FRAMES
                  + " frames, more than any exercise's capture: capture only the exercise's"
                  + " port");
        }
        if (f.truncated()) {
          cut++;
        }
        Row row = annotator.annotate(f).copy();
        rows.add(row);
        if ((row.tcpAnalysis & (TcpDirection.LOST | TcpDirection.ACK_LOST)) != 0) {
          holes++;
          firstHole = firstHole == 0 ? rows.size() : firstHole;
        }
        handshakeMessages(f, row, handshakes);
        if (row.connection > 0 && PacketDecoder.decode(f, tcp)) {
          hello(f.data, tcp.payloadOffset, tcp.payloadCaptured, row.connection, hellos);
        }
      }
      completeness =
          new Completeness(
              completeness.stats(),
              completeness.statsProblem(),
              cut,
              r.finalStatistics(),
              rows.size(),
              holes,
              firstHole);
      if (r.problem() != null) {
        return new CaptureEvidence(
            file,
            file + " is damaged (" + r.problem() + ")",
            List.copyOf(rows),
            annotator.facts(),
            hellos,
            completeness,
            List.copyOf(inside),
            handshakes,
            keys);
      }
    } catch (LabException e) {
      return new CaptureEvidence(file, e.getMessage());
    } catch (RuntimeException e) {
      // The reader is bounds-checked; this only guards the promise that a check never throws.
      return new CaptureEvidence(file, file + ": unreadable (" + e + ")");
    }
    return new CaptureEvidence(
        file,
        null,
        List.copyOf(rows),
        annotator.facts(),
        hellos,
        completeness,
        List.copyOf(inside),
        handshakes,
        keys);
  }

  /** Keeps each whole handshake message of {@code row}, in order, under its connection. */
  private static void handshakeMessages(
      Frame f, Row row, Map<Integer, List<HandshakeProof.Message>> out) {
    if (row.connection <= 0) {
      return;
    }
    for (TlsMessage m : row.messages()) {
      if (m.type() != TlsMessage.Kind.HANDSHAKE || m.handshakeType() < 0) {
        continue;
      }
      byte[] bytes = m.bytes();
      if (bytes == null && m.range().space() == tlslab.annotate.ByteRange.Space.FRAME) {
        long from = f.offset + m.range().offset();
        if (from >= 0 && from + m.range().length() <= f.offset + f.capturedLength) {
          bytes = Arrays.copyOfRange(f.data, (int) from, (int) from + m.range().length());
        }
      }
      if (bytes != null && bytes.length >= 4) {
        out.computeIfAbsent(row.connection, k -> new ArrayList<>())
            .add(
                new HandshakeProof.Message(
                    m.sender() == tlslab.annotate.Sender.SERVER,
                    m.handshakeType(),
                    m.label(),
                    bytes));
      }
    }
  }

  /**
   * What the handshake of {@code c} proves about itself: its signatures checked against the
   * certificates it carries and, with the keys this capture was read with, its Finished messages
   * (see {@link HandshakeProof}).
   */
  HandshakeProof.Result proof(ConnectionFacts c) {
    return HandshakeProof.verify(c, handshakes.getOrDefault(c.index(), List.of()), keys);
  }

  /** The whole handshake messages of connection {@code c}, in the order they were sent. */
  List<HandshakeProof.Message> handshake(ConnectionFacts c) {
    return handshakes.getOrDefault(c.index(), List.of());
  }

  /**
   * The pre-master secret of TLS_RSA connection {@code c}, decrypted with the RSA key this capture
   * was read with (see {@link HandshakeProof#rsaPremaster}); empty without one, or for any other
   * key exchange.
   */
  Optional<byte[]> rsaPremaster(ConnectionFacts c) {
    return Optional.ofNullable(HandshakeProof.rsaPremaster(handshake(c), keys.rsaKey()));
  }

  /** The last statistics block of each interface: later blocks supersede earlier ones. */
  /** How complete the file is (drops recorded by lab capture, frames cut by the snaplen). */
  Completeness completeness() {
    return completeness;
  }

  /**
   * The key log lines the file carries in Decryption Secrets Blocks (pcapng), whether or not they
   * were used: they are the student's key log as much as a .keylog file is.
   */
  List<String> secretsInside() {
    return secretsInside;
  }

  /**
   * Notes the random (and session id) of a Client or Server Hello that starts a TCP segment: a
   * handshake record (type 22) whose first message is a hello (RFC 5246 §6.2.1, §7.4.1.2): record
   * header 5 bytes, handshake header 4, version 2, random 32, session id length 1. Hellos split
   * over segments are not seen; the checks then say the connection has no random.
   */
  private static void hello(byte[] d, int at, int n, int connection, Map<Integer, Hellos> out) {
    if (n < 44 || at < 0 || at + n > d.length || d[at] != 22 || d[at + 1] != 3) {
      return;
    }
    int type = d[at + 5];
    if (type != 1 && type != 2) {
      return;
    }
    HexFormat hex = HexFormat.of();
    String random = hex.formatHex(d, at + 11, at + 43);
    int idLength = d[at + 43] & 0xff;
    String sessionId =
        idLength <= 32 && 44 + idLength <= n ? hex.formatHex(d, at + 44, at + 44 + idLength) : "";
    Hellos h = out.getOrDefault(connection, new Hellos("", "", ""));
    out.put(
        connection,
        type == 1
            ? new Hellos(
                h.clientRandom().isEmpty() ? random : h.clientRandom(),
                h.serverRandom(),
                h.sessionId())
            : new Hellos(
                h.clientRandom(),
                h.serverRandom().isEmpty() ? random : h.serverRandom(),
                sessionId));
  }

  /** The randoms and session id of one connection (empty strings for what was not seen). */
  Hellos hellos(ConnectionFacts c) {
    return hellos.getOrDefault(c.index(), new Hellos("", "", ""));
  }

  /** The connection whose Client Hello carried {@code clientRandom} (hex, any case). */
  Optional<ConnectionFacts> withClientRandom(String clientRandom) {
    return facts.stream()
        .filter(c -> hellos(c).clientRandom().equalsIgnoreCase(clientRandom))
        .findFirst();
  }

  /** Every challenge-shaped code the client sent in one connection, decrypted. */
  List<String> challengesSent(ConnectionFacts c) {
    List<String> found = new ArrayList<>();
    for (String line : chatLines(c).get("client")) {
      Matcher m = CHALLENGE.matcher(line);
      while (m.find()) {
        if (!found.contains(m.group())) {
          found.add(m.group());
        }
      }
    }
    return found;
  }

  /**
   * A line as a student may paste it from {@code lab annotate --key/--keylog}: {@code | hello} (the
   * table's margin under "decrypted (client, text lines):"), the older {@code decrypted: client>
   * hello\n}, or just {@code hello}; {@code \xNN} escapes are decoded (UTF-8), so "José" pasted
   * either way is the same line.
   */
  static String pastedLine(String answer) {
    String s = answer.strip();
    s = s.replaceFirst("^\\|\\s?", "");
    s = s.replaceFirst("^(?i)decrypted:\\s*", "");
    s = s.replaceFirst("^(client|server)>\\s?", "");
    s = s.replaceFirst("^\\|\\s?", ""); // the text-lines form: "| * you are ..."
    s = s.replaceFirst("(\\\\n)+$", "");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x') {
        try {
          bytes.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
          i += 3;
          continue;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
          // not an escape: keep the backslash as typed
        }
      }
      int cp = s.codePointAt(i);
      bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
      i += Character.charCount(cp) - 1;
    }
    return bytes.toString(StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
  }

  Path file() {
    return file;
  }

  /** Why the file could not be read completely, or null when it could. */
  String problem() {
    return problem;
  }

  List<Row> rows() {
    return rows;
  }

  List<ConnectionFacts> facts() {
    return facts;
  }

  /** The first connection that got as far as a Server Hello. */
  Optional<ConnectionFacts> firstHandshake() {
    return facts.stream().filter(ConnectionFacts::negotiated).findFirst();
  }

  /** The first connection whose server presented {@code cert} as its leaf certificate. */
  Optional<ConnectionFacts> withServerCertificate(X509Certificate cert) {
    return facts.stream()
        .filter(c -> !c.serverCertificates().isEmpty() && same(c.serverCertificates().get(0), cert))
        .findFirst();
  }

  /** The rows of one connection, in frame order. */
  List<Row> rowsOf(ConnectionFacts c) {
    return rows.stream().filter(r -> r.connection == c.index()).toList();
  }

  /**
   * Everything one side ({@code "client"} or {@code "server"}) sent in one connection as
   * application data, decrypted and concatenated in order, as UTF-8 text (the lab's framing is
   * UTF-8 lines).
   */
  String sentText(ConnectionFacts c, String who) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Row r : rowsOf(c)) {
      for (Payload p : r.payloads) {
        if (p.sender().label().equals(who)) {
          out.writeBytes(p.bytes());
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The lines each side sent in one connection, decrypted, keyed "client" and "server": the
   * application data of each direction concatenated and split at newlines (the lab's framing).
   */
  Map<String, List<String>> chatLines(ConnectionFacts c) {
    Map<String, StringBuilder> text = new LinkedHashMap<>();
    text.put("client", new StringBuilder());
    text.put("server", new StringBuilder());
    for (Row r : rowsOf(c)) {
      for (Payload p : r.payloads) {
        text.get(p.sender().label()).append(new String(p.bytes(), StandardCharsets.UTF_8));
      }
    }
    Map<String, List<String>> lines = new LinkedHashMap<>();
    text.forEach(
        (who, sb) ->
            lines.put(
                who,
                Arrays.stream(sb.toString().split("\r?\n"))
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList()));
    return lines;
  }

  /** The Wireshark labels of one row's messages ("Server Hello, Certificate" has two). */
  static List<String> labels(Row r) {
    return r.messages().stream().map(TlsMessage::label).toList();
  }

  /** "CN=localhost, ... (SHA-256 AB:CD:…)", to tell a student which certificate we saw. */
  static String describe(X509Certificate cert) {
    String fp = CertificateSummary.sha256Fingerprint(cert);
    return cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253)
        + " (SHA-256 "
        + fp.substring(0, Math.min(23, fp.length()))
        + "…)";
  }

  /** Whether two certificates are the same certificate, byte for byte. */
  static boolean same(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(a.getEncoded(), b.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }
}
