package tlslab.exercise.checks;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.common.LabException;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 5: forward secrecy. The checker itself decrypts the student's report-profile capture
 * with nothing but their {@code server.key}: the line they hand in must be in it, and the
 * pre-master secret they hand in must be the one that key decrypts from the Client Key Exchange
 * (what a thief of the key gets: every key of the session derives from it). The same key must fail
 * on their ECDHE capture; their explanation is collected for the instructor, never keyword-matched.
 */
public final class ForwardSecrecyCheck implements Checker {
  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null || id == null) {
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
    // Only server.key: keys carried inside a pcapng would decrypt without it and prove nothing.
    CaptureEvidence report = Steps.capture(r, ws, KeyExchangeCheck.REPORT_PCAP, key, how, false);
    Optional<ConnectionFacts> rc =
        report == null
            ? Optional.empty()
            : Steps.ownServerHandshake(r, ws, report, KeyExchangeCheck.REPORT_PCAP, mine, how);
    if (rc.isPresent()) {
      ConnectionFacts c = rc.get();
      String requirement =
          "decrypted-line is the server's /whoami reply in "
              + KeyExchangeCheck.REPORT_PCAP
              + ", decrypted with server.key alone";
      // Only the server's reply proves decryption: the lines you typed you know without it.
      List<String> replies =
          report.chatLines(c).get("server").stream()
              .filter(l -> l.startsWith("* you are ") && l.contains(" from "))
              .toList();
      String answer = a.get("decrypted-line").map(CaptureEvidence::pastedLine).orElse("");
      if (c.decryptedRecords() == 0) {
        r.fail(
            requirement,
            "your server.key decrypts nothing in this capture: it must be a"
                + " TLS_RSA session (exercise 4, --profile report) of your own server");
      } else if (!Steps.challengeSent(
              r, ws, id, report, Steps.ownSessions(report, mine), KeyExchangeCheck.REPORT_PCAP)
          || !Steps.classCertificateUsed(
              r, ws, id, report, Steps.ownSessions(report, mine), KeyExchangeCheck.REPORT_PCAP)) {
        // the hint says whose session it is, or what certificate it lacks
      } else if (replies.isEmpty()) {
        r.fail(
            requirement,
            "the session decrypts but the client never ran /whoami: capture the report-profile"
                + " chat of exercise 4 again, with /whoami");
      } else if (answer.isEmpty()) {
        r.fail(
            requirement,
            "write decrypted-line: <the server's '* you are ...' line, as lab annotate "
                + ws.capture(KeyExchangeCheck.REPORT_PCAP)
                + " --key "
                + keyFile
                + " prints it> in "
                + a.file());
      } else {
        boolean same = replies.stream().map(CaptureEvidence::pastedLine).anyMatch(answer::equals);
        r.expect(
            same,
            requirement,
            "'"
                + a.get("decrypted-line").orElse("")
                + "' is not what your server answered to /whoami in that capture: copy the"
                + " server> line that starts with '* you are' from lab annotate --key (the"
                + " '| * you are ...' line as printed is fine)");
        premasterSecret(r, a, report, Steps.ownSessions(report, mine), keyFile);
      }
    }

    CaptureEvidence modern = Steps.capture(r, ws, KeyExchangeCheck.MODERN_PCAP, key, how, false);
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
    // A conceptual answer: read by the instructor, never passed on keywords.
    Optional<String> why = a.get("why-modern-fails");
    why.ifPresent(w -> r.collect("why-modern-fails", w));
    r.expect(
        why.isPresent(),
        "why-modern-fails is answered (your instructor reads it)",
        "write why-modern-fails: <one sentence in your own words> in " + a.file());
    return r;
  }

  /** What the student must hand in to show the stolen key at work. */
  static final String PREMASTER_REQUIREMENT =
      "premaster-secret is the secret server.key decrypts from your session's Client Key Exchange";

  /**
   * "premaster-secret is what server.key decrypts": the one thing in the session that neither end
   * prints (JSSE logs the Client Key Exchange encrypted only, a key log holds the master secret,
   * which the PRF does not let anyone turn back) and that only the server's private key opens (RFC
   * 5246 §7.4.7.1). It is 46 random bytes after the client's version, so it cannot be guessed or
   * found by trying the checker: unlike a frame number, which traffic analysis or a few runs of the
   * check give away. A wrong answer is told wrong as a whole, never which bytes are right.
   */
  private static void premasterSecret(
      Report r, Answers a, CaptureEvidence report, List<ConnectionFacts> own, Path keyFile) {
    String how =
        "decrypt the Client Key Exchange of "
            + report.file()
            + " with "
            + keyFile
            + " as the exercise's tshark and openssl lines do";
    Optional<String> given = a.get("premaster-secret");
    if (given.isEmpty()) {
      r.fail(
          PREMASTER_REQUIREMENT,
          "your client printed the server's reply too, so the line alone proves no decryption:"
              + " write premaster-secret: <96 hex digits> in "
              + a.file()
              + " ("
              + how
              + ")");
      return;
    }
    String hex = given.get().replaceAll("[\\s:]", "").toLowerCase(java.util.Locale.ROOT);
    List<String> secrets = new java.util.ArrayList<>();
    for (ConnectionFacts c : own) {
      report.rsaPremaster(c).ifPresent(p -> secrets.add(java.util.HexFormat.of().formatHex(p)));
    }
    if (secrets.contains(hex)) {
      r.pass(PREMASTER_REQUIREMENT);
    } else if (hex.length() > 96 && hex.matches("[0-9a-f]+")) {
      r.fail(
          PREMASTER_REQUIREMENT,
          "that is longer than a pre-master secret (48 bytes, 96 hex digits): it looks like the"
              + " encrypted one, as tshark prints it; "
              + how);
    } else {
      r.fail(
          PREMASTER_REQUIREMENT,
          "that is not the pre-master secret of your session (48 bytes, 96 hex digits, starting"
              + " 0303): "
              + how);
    }
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
