package tlslab.exercise.checks;

import java.security.cert.X509Certificate;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
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
  static final String MODERN_KEYLOG = "04-modern.keylog";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null || id == null) {
      return r;
    }
    java.util.Map<String, CaptureEvidence.Hellos> hellos = new java.util.HashMap<>();
    KeyMaterial serverKey = KeyMaterial.none();
    try {
      serverKey = KeyMaterial.none().withRsaKey(ws.certs().resolve("server.key"));
    } catch (tlslab.common.LabException | IllegalArgumentException | IllegalStateException e) {
      r.fail(
          "your server.key is an RSA private key",
          e.getMessage()
              + " (lab certs init makes an RSA key by default; the report profile needs one)");
    }
    KeyMaterial modernKeys =
        Steps.keyLog(
            r,
            ws,
            MODERN_KEYLOG,
            MODERN_PCAP,
            "your key log " + MODERN_KEYLOG + " is readable",
            "give the default-profile client --keylog " + ws.capture(MODERN_KEYLOG));
    Optional<ConnectionFacts> report =
        handshake(
            r,
            ws,
            id,
            hellos,
            serverKey,
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
            id,
            hellos,
            modernKeys == null ? KeyMaterial.none() : modernKeys,
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
          random(r, a, "report-server-random", hellos.get(REPORT_PCAP), REPORT_PCAP);
        });
    modern.ifPresent(
        c -> {
          suite(r, a, "modern-suite", c);
          keyExchange(r, a, "modern-key-exchange", c);
          random(r, a, "modern-server-random", hellos.get(MODERN_PCAP), MODERN_PCAP);
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
      Report r,
      Workspace ws,
      Identity id,
      java.util.Map<String, CaptureEvidence.Hellos> hellos,
      KeyMaterial keys,
      String name,
      X509Certificate mine,
      String how) {
    CaptureEvidence cap = Steps.capture(r, ws, name, keys, how);
    if (cap == null) {
      return Optional.empty();
    }
    Optional<ConnectionFacts> own = Steps.ownServerHandshake(r, ws, cap, name, mine, how);
    if (own.isEmpty()) {
      return own;
    }
    // The facts are still checked without the challenge: the student learns from every item.
    Steps.challengeSent(r, ws, id, cap, Steps.ownSessions(cap, mine), name);
    Steps.classCertificateUsed(r, ws, id, cap, Steps.ownSessions(cap, mine), name);
    hellos.put(name, cap.hellos(own.get()));
    return own;
  }

  /**
   * "KEY is the start of your Server Hello random": at least 8 hex digits, however spaced, that
   * begin the random of that capture's own handshake. A value from someone else's capture, or
   * invented, does not match: 32 random bytes differ in every handshake.
   */
  private static void random(
      Report r, Answers a, String key, CaptureEvidence.Hellos h, String name) {
    String answer = a.lower(key).replaceAll("[^0-9a-f]", "");
    String actual = h == null ? "" : h.serverRandom();
    r.expect(
        !actual.isEmpty() && answer.length() >= 8 && actual.startsWith(answer),
        key + " starts the Server Hello random of " + name,
        actual.isEmpty()
            ? "the Server Hello of " + name + " was not seen whole; capture the session again"
            : "copy at least the first 8 hex digits of the Server Hello's random from lab annotate "
                + name
                + " --explain (or Wireshark: Random) as in your own capture");
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
    // One key exchange, as the suite names it (ECDHE, ECDHE_RSA, DHE...): "ECDHE or RSA" hedges.
    r.expect(
        rsa ? answer.equals("RSA") : answer.matches("(EC)?DHE(RSA|ECDSA)?"),
        key + " matches the suite (" + (rsa ? "RSA" : "ECDHE") + ")",
        "RSA or ECDHE: the suite name says how the pre-master secret is agreed (TLS_RSA_... or"
            + " TLS_ECDHE_...)");
  }
}
