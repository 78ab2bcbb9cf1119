package tlslab.exercise.checks;

import java.security.cert.X509Certificate;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.tls.TlsProfile;
import tlslab.wire.KeyExchangeKind;
import tlslab.wire.NamedGroup;

/**
 * Exercise 4: RSA key transport against ECDHE, on two of the student's own captures. The report
 * profile's capture must negotiate {@code TLS_RSA_WITH_AES_128_CBC_SHA} with no Server Key Exchange
 * (RFC 5246 §7.4.3: TLS_RSA sends none); the default profile's must have one, carrying the named
 * group of the ephemeral ECDH key (RFC 8422 §5.4). The answers must match both.
 */
public final class KeyExchangeCheck implements Checker {
  static final String REPORT_PCAP = "04-report.pcap";
  static final String MODERN_PCAP = "04-modern.pcap";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null) {
      return r;
    }
    Optional<ConnectionFacts> report =
        handshake(
            r,
            ws,
            REPORT_PCAP,
            mine,
            "lab server --certs "
                + ws.certs()
                + " --profile report, lab client --profile report, lab capture --port 8443 --out "
                + ws.capture(REPORT_PCAP));
    report.ifPresent(
        c -> {
          r.expect(
              c.cipherSuiteName().equals(TlsProfile.REPORT_SUITE),
              REPORT_PCAP + " negotiated " + TlsProfile.REPORT_SUITE,
              "it negotiated "
                  + c.cipherSuiteName()
                  + ": start both the server and the client"
                  + " with --profile report");
          r.expect(
              !c.serverKeyExchange(),
              REPORT_PCAP + " has no Server Key Exchange",
              "this session has a Server Key Exchange, so it is not RSA key transport");
        });
    Optional<ConnectionFacts> modern =
        handshake(
            r,
            ws,
            MODERN_PCAP,
            mine,
            "lab server --certs "
                + ws.certs()
                + " and lab client with the default profile while lab capture --port 8443 --out "
                + ws.capture(MODERN_PCAP)
                + " runs");
    modern.ifPresent(
        c ->
            r.expect(
                c.serverKeyExchange(),
                MODERN_PCAP + " has a Server Key Exchange",
                "it negotiated "
                    + c.cipherSuiteName()
                    + " without a Server Key Exchange:"
                    + " capture a session where neither side uses --profile"));

    Answers a = ws.answers("04.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    report.ifPresent(
        c -> {
          suite(r, a, "report-suite", c);
          keyExchange(r, a, "report-key-exchange", c);
        });
    modern.ifPresent(
        c -> {
          suite(r, a, "modern-suite", c);
          keyExchange(r, a, "modern-key-exchange", c);
          String group = c.keyExchangeGroup() < 0 ? "" : NamedGroup.labelOf(c.keyExchangeGroup());
          r.expect(
              !group.isEmpty() && Steps.squash(a.lower("modern-group")).equals(Steps.squash(group)),
              "modern-group is the named group of your Server Key Exchange",
              "annotate "
                  + ws.capture(MODERN_PCAP)
                  + " with --explain: the Server Key Exchange"
                  + " names its group");
        });
    return r;
  }

  private static Optional<ConnectionFacts> handshake(
      Report r, Workspace ws, String name, X509Certificate mine, String how) {
    CaptureEvidence cap = Steps.capture(r, ws, name, KeyMaterial.none(), how);
    if (cap == null) {
      return Optional.empty();
    }
    return Steps.ownServerHandshake(r, ws, cap, name, mine, how);
  }

  private static void suite(Report r, Answers a, String key, ConnectionFacts c) {
    r.expect(
        Steps.squash(a.lower(key)).equals(Steps.squash(c.cipherSuiteName())),
        key + " is the suite your capture negotiated",
        "the Server Hello of your capture names the suite; lab annotate prints it in the"
            + " connection summary");
  }

  private static void keyExchange(Report r, Answers a, String key, ConnectionFacts c) {
    boolean rsa = c.keyExchange() == KeyExchangeKind.RSA_TRANSPORT;
    String answer = Steps.squash(a.lower(key));
    r.expect(
        rsa ? answer.equals("RSA") : answer.startsWith("ECDHE") || answer.startsWith("DHE"),
        key + " matches the suite (" + (rsa ? "RSA" : "ECDHE") + ")",
        "RSA or ECDHE: the suite name says how the pre-master secret is agreed (TLS_RSA_... or"
            + " TLS_ECDHE_...)");
  }
}
