package tlslab.exercise.checks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tlslab.annotate.Annotator;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Payload;
import tlslab.annotate.Row;
import tlslab.annotate.TlsMessage;
import tlslab.common.LabException;
import tlslab.pcap.CaptureReader;
import tlslab.pcap.Frame;
import tlslab.pki.CertificateSummary;

/**
 * A student's capture read back through the lab's annotator: every row as Wireshark labels it, the
 * facts of each TLS connection and, when keys were given, the decrypted chat lines. Reading never
 * throws: a missing, foreign or damaged file gives {@link #problem()} instead, which a checker
 * turns into a failed requirement.
 */
final class CaptureEvidence {
  private final Path file;
  private final String problem;
  private final List<Row> rows;
  private final List<ConnectionFacts> facts;

  private CaptureEvidence(Path file, String problem, List<Row> rows, List<ConnectionFacts> facts) {
    this.file = file;
    this.problem = problem;
    this.rows = rows;
    this.facts = facts;
  }

  /** Reads {@code file}, decrypting with {@code keys} where they fit. */
  static CaptureEvidence read(Path file, KeyMaterial keys) {
    if (!Files.isRegularFile(file)) {
      return new CaptureEvidence(file, file + " does not exist", List.of(), List.of());
    }
    List<Row> rows = new ArrayList<>();
    Annotator annotator = new Annotator(keys, false);
    Frame f = new Frame();
    try (CaptureReader r = CaptureReader.open(file)) {
      while (r.next(f)) {
        rows.add(annotator.annotate(f).copy());
      }
      if (r.problem() != null) {
        return new CaptureEvidence(
            file, file + " is damaged (" + r.problem() + ")", List.copyOf(rows), annotator.facts());
      }
    } catch (LabException e) {
      return new CaptureEvidence(file, e.getMessage(), List.of(), List.of());
    } catch (RuntimeException e) {
      // The reader is bounds-checked; this only guards the promise that a check never throws.
      return new CaptureEvidence(file, file + ": unreadable (" + e + ")", List.of(), List.of());
    }
    return new CaptureEvidence(file, null, List.copyOf(rows), annotator.facts());
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
