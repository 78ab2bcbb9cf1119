package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.pki.CertificateVerifier;

/**
 * Exercise 8: a man in the middle. A verifying client refused the impostor (its saved error names a
 * certificate problem); the capture shows the insecure client completing a handshake with the
 * student's impostor certificate, one their own CA did not issue, and then sending data; the fix
 * names certificate and hostname verification against a trusted CA.
 */
public final class MitmCheck implements Checker {
  static final String PCAP = "08.pcap";
  static final String REFUSED = "08-refused.txt";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Path refusedFile = ws.dir().resolve("answers").resolve(REFUSED);
    String refused = read(refusedFile).toLowerCase(Locale.ROOT);
    String refusal = "the verifying client's refusal names a certificate problem";
    if (refused.isBlank()) {
      r.fail(
          refusal,
          "save what the client prints: lab client --port 9443 --ca "
              + ws.certs().resolve("ca.pem")
              + " 2> "
              + refusedFile);
    } else {
      r.expect(
          refused.contains("certificate")
              || refused.contains("pkix")
              || refused.contains("certification path")
              || refused.contains("trusted ca"),
          refusal,
          "the saved text names no certificate problem (is the impostor server running on port"
              + " 9443?): "
              + firstLine(refused));
    }

    X509Certificate ca = Steps.ownCa(r, ws);
    Path evilPem = ws.dir().resolve("evil").resolve("server.pem");
    X509Certificate evil =
        Steps.certificate(
            r,
            evilPem,
            "your impostor's certificate exists",
            "make it: lab certs init --dir "
                + evilPem.getParent()
                + " --cn evil.example --san evil.example");
    String how =
        "lab capture --port 9443 --out "
            + ws.capture(PCAP)
            + " while lab client --port 9443 --insecure sends a line";
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, KeyMaterial.none(), how);
    if (cap != null && ca != null) {
      Optional<ConnectionFacts> hs =
          cap.facts().stream().filter(c -> !c.serverCertificates().isEmpty()).findFirst();
      if (hs.isEmpty()) {
        r.fail(
            PCAP + " holds a handshake with a server certificate",
            "no server Certificate message in " + cap.file() + ": " + how);
      } else {
        r.pass(PCAP + " holds a handshake with a server certificate");
        ConnectionFacts c = hs.get();
        X509Certificate leaf = c.serverCertificates().get(0);
        CertificateVerifier.Result v =
            CertificateVerifier.verify(ca, c.serverCertificates(), null, Instant.now());
        boolean issuedByMine =
            v.checks().stream().anyMatch(k -> k.name().equals("chain") && k.passed());
        r.expect(
            !issuedByMine,
            "the server certificate is not issued by your CA",
            "the capture shows "
                + CaptureEvidence.describe(leaf)
                + ", signed by your own CA:"
                + " that is your real server; capture the impostor (lab server --certs "
                + evilPem.getParent()
                + " --port 9443)");
        if (evil != null) {
          r.expect(
              CaptureEvidence.same(leaf, evil),
              "the impostor in the capture is yours (" + evilPem + ")",
              "the capture shows "
                  + CaptureEvidence.describe(leaf)
                  + ", not your "
                  + CaptureEvidence.describe(evil));
        }
        r.expect(
            c.clientApplicationData() > 0,
            "the insecure client went on and sent application data",
            "the client sent nothing after the handshake: connect with --insecure and type a"
                + " line while the capture runs");
      }
    }

    Answers a = ws.answers("08.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    String fix = a.lower("fix");
    boolean verb =
        fix.contains("verif")
            || fix.contains("check")
            || fix.contains("validat")
            || fix.contains("trust");
    boolean what =
        fix.contains("certificate")
            || fix.contains("hostname")
            || fix.contains("host name")
            || fix.contains(" ca")
            || fix.contains("--ca");
    r.expect(
        verb && what,
        "fix names verifying the certificate and hostname against a trusted CA",
        "what did the refusing client do that --insecure skips?");
    return r;
  }

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    String line = nl < 0 ? t : t.substring(0, nl);
    return line.length() > 120 ? line.substring(0, 120) + "…" : line;
  }
}
