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
 * with nothing but their {@code server.key}: the line they hand in must be in it. The same key must
 * fail on their ECDHE capture, and their explanation must name the ephemeral key exchange.
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
        if (same) {
          replyFrame(r, a, report, c, keyFile, replies);
        }
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

  /**
   * "decrypted-frame is the frame that carried that reply": your client printed the reply too, so
   * the line alone does not show that you decrypted anything; which of the encrypted Application
   * Data frames carried it only the decrypted capture tells.
   */
  private static void replyFrame(
      Report r,
      Answers a,
      CaptureEvidence report,
      ConnectionFacts c,
      Path keyFile,
      List<String> replies) {
    List<Long> frames =
        report.rowsOf(c).stream()
            .filter(
                row ->
                    row.payloads.stream()
                        .anyMatch(
                            p ->
                                p.sender().label().equals("server")
                                    && replies.stream()
                                        .anyMatch(
                                            new String(
                                                    p.bytes(),
                                                    java.nio.charset.StandardCharsets.UTF_8)
                                                ::contains)))
            .map(row -> row.number)
            .toList();
    Optional<Long> answer =
        a.get("decrypted-frame")
            .map(s -> s.replaceAll("[^0-9]", ""))
            .filter(s -> !s.isEmpty() && s.length() < 10)
            .map(Long::parseLong);
    String how =
        "lab annotate "
            + report.file()
            + " --key "
            + keyFile
            + " prints each decrypted line under the frame that carried it";
    if (answer.isEmpty()) {
      r.fail(
          "decrypted-frame is the frame that carried that reply",
          "your client printed the reply too, so the line alone proves no decryption: write"
              + " decrypted-frame: <frame number> in "
              + a.file()
              + " ("
              + how
              + ")");
    } else {
      r.expect(
          frames.contains(answer.get()),
          "decrypted-frame is the frame that carried that reply",
          "frame " + answer.get() + " did not carry your server's '* you are' line: " + how);
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
