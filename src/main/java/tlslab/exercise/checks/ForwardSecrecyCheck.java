package tlslab.exercise.checks;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.common.LabException;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 5: forward secrecy. The checker itself decrypts the student's report-profile capture
 * with nothing but their {@code server.key}: the line they hand in must be in it. The same key must
 * fail on their ECDHE capture, and their explanation must name the ephemeral key exchange.
 */
public final class ForwardSecrecyCheck implements Checker {
  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null) {
      return r;
    }
    Path keyFile = ws.certs().resolve("server.key");
    KeyMaterial key;
    try {
      key = KeyMaterial.none().withRsaKey(keyFile);
    } catch (LabException | IllegalArgumentException | IllegalStateException e) {
      return r.fail(
          "your server.key is an RSA private key",
          e.getMessage()
              + " (lab certs init makes an RSA key by default; the report profile"
              + " needs one)");
    }
    Answers a = ws.answers("05.txt");

    String how = "exercise 4";
    CaptureEvidence report = Steps.capture(r, ws, KeyExchangeCheck.REPORT_PCAP, key, how);
    Optional<ConnectionFacts> rc =
        report == null
            ? Optional.empty()
            : Steps.ownServerHandshake(r, ws, report, KeyExchangeCheck.REPORT_PCAP, mine, how);
    if (rc.isPresent()) {
      ConnectionFacts c = rc.get();
      String requirement =
          "decrypted-line is a chat line of "
              + KeyExchangeCheck.REPORT_PCAP
              + ", decrypted with server.key alone";
      List<String> lines =
          Stream.concat(
                  report.chatLines(c).get("client").stream(),
                  report.chatLines(c).get("server").stream().map(ForwardSecrecyCheck::unwrap))
              .filter(l -> !l.startsWith("/") && !l.startsWith("*"))
              .toList();
      String answer = a.get("decrypted-line").map(ForwardSecrecyCheck::normal).orElse("");
      if (c.decryptedRecords() == 0) {
        r.fail(
            requirement,
            "your server.key decrypts nothing in this capture: it must be a"
                + " TLS_RSA session (exercise 4, --profile report) of your own server");
      } else if (lines.isEmpty()) {
        r.fail(
            requirement,
            "the session decrypts but nobody typed a chat line: capture again"
                + " and type a line in the client");
      } else if (answer.isEmpty()) {
        r.fail(
            requirement,
            "write decrypted-line: <a line you read with lab annotate "
                + ws.capture(KeyExchangeCheck.REPORT_PCAP)
                + " --key "
                + keyFile
                + "> in "
                + a.file());
      } else {
        r.expect(
            lines.stream().map(ForwardSecrecyCheck::normal).anyMatch(answer::equals),
            requirement,
            "'"
                + a.get("decrypted-line").orElse("")
                + "' is not a line of that chat: copy one"
                + " exactly as lab annotate --key prints it (not a /command or * notice)");
      }
    }

    CaptureEvidence modern = Steps.capture(r, ws, KeyExchangeCheck.MODERN_PCAP, key, how);
    Optional<ConnectionFacts> mc =
        modern == null
            ? Optional.empty()
            : Steps.ownServerHandshake(r, ws, modern, KeyExchangeCheck.MODERN_PCAP, mine, how);
    mc.ifPresent(
        c ->
            r.expect(
                c.decryptedRecords() == 0 && c.forwardSecret(),
                KeyExchangeCheck.MODERN_PCAP + " cannot be decrypted with server.key",
                "server.key decrypted "
                    + c.decryptedRecords()
                    + " records of it, so it is not an"
                    + " ECDHE session: capture one with the default profile"));

    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    String why = a.lower("why-modern-fails");
    r.expect(
        why.contains("ephemeral")
            || why.contains("forward secre")
            || why.contains("diffie")
            || why.matches(".*\\b(ec)?dhe?\\b.*"),
        "why-modern-fails names the ephemeral key exchange (forward secrecy)",
        "what secret does the ECDHE key exchange derive the keys from, and does the server's"
            + " certificate key ever encrypt it?");
    return r;
  }

  /** A line the server relayed, "<alice> hi", as its sender typed it: "hi". */
  private static String unwrap(String line) {
    return line.startsWith("<") && line.indexOf("> ") > 0
        ? line.substring(line.indexOf("> ") + 2)
        : line;
  }

  private static String normal(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
