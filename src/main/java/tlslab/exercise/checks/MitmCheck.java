package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.mitm.MitmLog;
import tlslab.pki.CertificateSummary;
import tlslab.pki.CertificateVerifier;

/**
 * Exercise 8: a real man in the middle ({@code lab mitm}) between the student's clients and their
 * own server. The evidence must hang together, so that none of it can be written by hand:
 *
 * <ul>
 *   <li>the mitm log shows the attacker presenting the student's impostor certificate (not issued
 *       by their CA) to the victim, and relaying, verified, to their own server;
 *   <li>a line the victim typed and a reply from the real server are in the log, and the same lines
 *       are in the capture of both legs, decrypted with the attacker's key log, whose client
 *       randoms are the log's: the capture, the keys and the log come from one run;
 *   <li>the insecure client's output holds a reply that came through the attacker;
 *   <li>a verifying client refused: the log records the alert it sent, the capture shows its
 *       handshake with the impostor ending without data, and the saved refusal is {@code lab
 *       client}'s own line for that port.
 * </ul>
 */
public final class MitmCheck implements Checker {
  static final String LOG = "08.jsonl";
  static final String PCAP = "08.pcap";
  static final String KEYLOG = "08.keylog";
  static final String REFUSED = "08-refused.txt";
  static final String INSECURE = "08-insecure.txt";

  /** What {@code lab client} prints when the server's chain does not reach its CA. */
  private static final Pattern LAB_CLIENT_REFUSAL =
      Pattern.compile(
          "lab client: server certificate at [^\\s:]+:(\\d+) is not issued by a trusted CA.*");

  /** Alerts a client sends when it does not accept the server's certificate (RFC 8446 §6.2). */
  private static final Set<String> CERTIFICATE_ALERTS =
      Set.of("certificate_unknown", "unknown_ca", "bad_certificate", "certificate_expired");

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Path logFile = ws.dir().resolve("mitm").resolve(LOG);
    String howMitm =
        "lab mitm --listen 9443 --upstream localhost:8443 --certs "
            + ws.dir().resolve("evil")
            + " --ca "
            + ws.certs().resolve("ca.pem")
            + " --log "
            + logFile
            + " --keylog "
            + ws.capture(KEYLOG);
    tlslab.exercise.Identity id = Steps.identity(r, ws);
    Checkers.noteBinding(r, id, 8);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    X509Certificate ca = Steps.ownCa(r, ws);
    if (mine != null && id != null) {
      // The real server is the student's: its certificate names their challenge (exercise 1).
      Steps.serverCertificateCarriesChallenge(r, ws, id, mine);
    }
    Path evilPem = ws.dir().resolve("evil").resolve("server.pem");
    X509Certificate evil =
        Steps.certificate(
            r,
            evilPem,
            "your impostor's certificate exists",
            "make it: lab certs init --dir "
                + evilPem.getParent()
                + " --cn evil.example --san evil.example");
    if (evil != null && ca != null) {
      CertificateVerifier.Result v =
          CertificateVerifier.verify(ca, List.of(evil), null, Instant.now());
      r.expect(
          v.checks().stream().noneMatch(k -> k.name().equals("chain") && k.passed()),
          "your impostor's certificate is not issued by your CA",
          evilPem
              + " is signed by your own CA: make the impostor with its own CA (lab certs init --dir "
              + evilPem.getParent()
              + ")");
    }

    if (Files.isRegularFile(logFile) && Steps.tooLarge(logFile)) {
      r.fail(
          LOG + " is a lab mitm log",
          logFile
              + " is larger than a lab mitm log of an exercise (64 MiB): make it with: "
              + howMitm);
      return answers(r, ws);
    }
    MitmLog.Read log = MitmLog.read(logFile);
    if (log.problem() != null) {
      r.fail(LOG + " is a lab mitm log", log.problem() + "; make it with: " + howMitm);
      return answers(r, ws);
    }
    r.pass(LOG + " is a lab mitm log");
    if (mine == null || evil == null) {
      return answers(r, ws);
    }
    String evilSha = CertificateSummary.sha256Fingerprint(evil);
    String mineSha = CertificateSummary.sha256Fingerprint(mine);

    // The relayed session: victim leg with the impostor, upstream leg verified to the real server.
    Optional<Integer> relayed =
        log.entries().stream()
            .filter(e -> e.kind().equals("handshake") && leg(e, "upstream"))
            .filter(e -> e.string("certificate_sha256").orElse("").equalsIgnoreCase(mineSha))
            .map(MitmLog.Entry::connection)
            .filter(
                c ->
                    log.entries().stream()
                        .anyMatch(
                            e ->
                                e.connection() == c
                                    && e.kind().equals("handshake")
                                    && leg(e, "victim")
                                    && e.string("certificate_sha256")
                                        .orElse("")
                                        .equalsIgnoreCase(evilSha)))
            .findFirst();
    if (relayed.isEmpty()) {
      r.fail(
          "the attacker showed your impostor to the victim and relayed to your real server",
          describeHandshakes(log.entries(), evilSha, mineSha)
              + ": "
              + howMitm
              + ", then connect lab client --port 9443 --insecure");
      return answers(r, ws);
    }
    int conn = relayed.get();
    r.pass("the attacker showed your impostor to the victim and relayed to your real server");
    MitmLog.Entry up = find(log.entries(), conn, "handshake", "upstream").orElseThrow();
    MitmLog.Entry down = find(log.entries(), conn, "handshake", "victim").orElseThrow();
    r.expect(
        up.flag("verified"),
        "the attacker verified your real server",
        "run lab mitm without --upstream-insecure, with --ca " + ws.certs().resolve("ca.pem"));
    List<String> victimLines = lines(log.entries(), conn, "victim");
    List<String> serverLines = lines(log.entries(), conn, "server");
    List<String> typed = victimLines.stream().filter(l -> !l.startsWith("/")).toList();
    r.expect(
        !typed.isEmpty(),
        "the log holds a line the victim typed",
        "connection "
            + conn
            + " of the log has no chat line from the victim: type a secret line in lab client --insecure");
    r.expect(
        !serverLines.isEmpty(),
        "the log holds the real server's replies",
        "connection "
            + conn
            + " has no line from the real server: wait for its reply before you quit");

    if (id != null) {
      r.expect(
          typed.stream().anyMatch(l -> l.contains(id.challenge())),
          "the attacker read your challenge in what the victim typed",
          "no line the victim typed on connection "
              + conn
              + " carries your challenge ("
              + id.challenge()
              + "): "
              + Steps.sendChallenge(ws));
    }

    // The capture of both legs, decrypted with the attacker's key log.
    Path keylogFile = ws.capture(KEYLOG);
    KeyMaterial keys =
        Steps.keyLog(
            r,
            keylogFile,
            "the attacker's key log " + KEYLOG + " is readable",
            "add --keylog " + keylogFile + " to lab mitm");
    if (keys != null) {
      boolean logInKeys =
          Optional.ofNullable(down.string("client_random").orElse(null))
                  .map(
                      h ->
                          keys.secret("CLIENT_RANDOM", HexFormat.of().parseHex(h)) != null
                              || tls13Keyed(keys, h))
                  .orElse(false)
              && Optional.ofNullable(up.string("client_random").orElse(null))
                  .map(
                      h ->
                          keys.secret("CLIENT_RANDOM", HexFormat.of().parseHex(h)) != null
                              || tls13Keyed(keys, h))
                  .orElse(false);
      r.expect(
          logInKeys,
          "the key log holds the keys of both legs of the logged session",
          "the key log "
              + keylogFile
              + " has no keys for the client randoms in "
              + LOG
              + ": log and keys must come from the same lab mitm run");
      String how =
          "sudo lab capture --iface lo --filter 'tcp port 8443 or tcp port 9443' --out "
              + ws.capture(PCAP)
              + " while you do steps 3 to 5";
      CaptureEvidence cap = Steps.capture(r, ws, PCAP, keys, how);
      if (cap != null) {
        bothLegs(r, cap, evil, mine, typed, serverLines, how);
        if (Steps.complete(
            r, cap, PCAP, "a refused handshake is one after which no application data was sent")) {
          refusedHandshake(r, cap, evil, how);
        }
      }
    }

    // The insecure client's own output: a reply that came through the attacker.
    Path insecureFile = ws.dir().resolve("answers").resolve(INSECURE);
    List<String> printed = readLines(insecureFile);
    r.expect(
        printed.stream().map(String::strip).anyMatch(serverLines::contains),
        "the insecure client printed the real server's reply, relayed by the attacker",
        printed.isEmpty()
            ? "save what the insecure client prints: (printf 'your secret\\n'; sleep 5) | lab client --port 9443 --insecure > "
                + insecureFile
            : insecureFile
                + " holds none of the lines the log shows the real server sending on connection "
                + conn);

    refusal(r, ws, log.entries());
    return answers(r, ws);
  }

  private static boolean tls13Keyed(KeyMaterial keys, String hex) {
    return keys.secret("CLIENT_TRAFFIC_SECRET_0", HexFormat.of().parseHex(hex)) != null;
  }

  private void bothLegs(
      Report r,
      CaptureEvidence cap,
      X509Certificate evil,
      X509Certificate mine,
      List<String> typed,
      List<String> serverLines,
      String how) {
    Optional<ConnectionFacts> victimLeg = withLines(cap, evil, typed);
    Optional<ConnectionFacts> upstreamLeg = withLines(cap, mine, typed);
    r.expect(
        victimLeg.isPresent(),
        PCAP + " holds the victim's leg: your impostor's certificate, then the typed line",
        "no connection in "
            + cap.file()
            + " shows your impostor's certificate followed by a line the log holds: "
            + how);
    r.expect(
        upstreamLeg.isPresent(),
        PCAP + " holds the attacker's leg to your server, carrying the same line",
        "no connection in "
            + cap.file()
            + " shows your server's certificate followed by the line the victim typed: capture both ports ("
            + how
            + ")");
    List<ConnectionFacts> legs =
        java.util.stream.Stream.of(victimLeg, upstreamLeg).flatMap(Optional::stream).toList();
    Steps.genuine(r, cap, legs, PCAP);
    victimLeg.ifPresent(
        c ->
            r.expect(
                cap.chatLines(c).get("server").stream().anyMatch(serverLines::contains),
                "the real server's reply went back to the victim through the attacker",
                "the victim's leg in the capture carries none of the server lines in the log"));
  }

  private void refusedHandshake(Report r, CaptureEvidence cap, X509Certificate evil, String how) {
    boolean refused =
        cap.facts().stream()
            .anyMatch(
                c ->
                    !c.serverCertificates().isEmpty()
                        && CaptureEvidence.same(c.serverCertificates().get(0), evil)
                        && c.clientApplicationData() == 0
                        && cap.rowsOf(c).stream()
                            .anyMatch(
                                row ->
                                    CaptureEvidence.labels(row).stream()
                                        .anyMatch(l -> l.startsWith("Alert"))));
    r.expect(
        refused,
        PCAP + " shows the verifying client's handshake with the impostor, ended by its alert",
        "no connection in the capture shows your impostor's certificate answered by an alert: run the verifying client (step 3) while the capture runs");
  }

  private void refusal(Report r, Workspace ws, List<MitmLog.Entry> entries) {
    Path file = ws.dir().resolve("answers").resolve(REFUSED);
    List<MitmLog.Entry> alerts =
        entries.stream()
            .filter(e -> e.kind().equals("alert") && "victim".equals(e.string("from").orElse("")))
            .filter(e -> CERTIFICATE_ALERTS.contains(e.string("description").orElse("")))
            .toList();
    r.expect(
        !alerts.isEmpty(),
        "the log records the alert a verifying client sent",
        "no victim in "
            + LOG
            + " refused with a certificate alert: run lab client --port 9443 --ca "
            + ws.certs().resolve("ca.pem")
            + " while lab mitm runs");
    String listen =
        entries.stream()
            .filter(e -> e.kind().equals("start"))
            .findFirst()
            .flatMap(e -> e.string("listen"))
            .orElse("");
    String port = listen.substring(listen.lastIndexOf(':') + 1);
    List<String> text = readLines(file);
    boolean labLine =
        text.stream()
            .map(String::strip)
            .map(LAB_CLIENT_REFUSAL::matcher)
            .anyMatch(m -> m.matches() && m.group(1).equals(port));
    r.expect(
        labLine,
        "your saved refusal is what lab client printed against the attacker",
        text.isEmpty()
            ? "save what the verifying client prints: lab client --port 9443 --ca "
                + ws.certs().resolve("ca.pem")
                + " 2> "
                + file
            : file
                + " is not lab client's refusal for port "
                + port
                + " (the port lab mitm listened on): save its own output, do not write it");
  }

  private static Optional<ConnectionFacts> withLines(
      CaptureEvidence cap, X509Certificate cert, List<String> typed) {
    return cap.facts().stream()
        .filter(
            c ->
                !c.serverCertificates().isEmpty()
                    && CaptureEvidence.same(c.serverCertificates().get(0), cert))
        .filter(c -> cap.chatLines(c).get("client").stream().anyMatch(typed::contains))
        .findFirst();
  }

  private static String describeHandshakes(
      List<MitmLog.Entry> entries, String evilSha, String mineSha) {
    List<MitmLog.Entry> hs = entries.stream().filter(e -> e.kind().equals("handshake")).toList();
    if (hs.isEmpty()) {
      return "the log shows no completed handshake (did the insecure client connect?)";
    }
    boolean evilSeen =
        hs.stream()
            .anyMatch(
                e ->
                    leg(e, "victim")
                        && e.string("certificate_sha256").orElse("").equalsIgnoreCase(evilSha));
    boolean mineSeen =
        hs.stream()
            .anyMatch(
                e ->
                    leg(e, "upstream")
                        && e.string("certificate_sha256").orElse("").equalsIgnoreCase(mineSha));
    if (!evilSeen) {
      return "the victims were not shown your impostor's certificate (work/evil/server.pem)";
    }
    return mineSeen
        ? "no single connection has both legs"
        : "the attacker's upstream leg did not reach your own server (certs/server.pem)";
  }

  private static boolean leg(MitmLog.Entry e, String leg) {
    return leg.equals(e.string("leg").orElse(""));
  }

  private static Optional<MitmLog.Entry> find(
      List<MitmLog.Entry> entries, int id, String kind, String leg) {
    return entries.stream()
        .filter(e -> e.connection() == id && e.kind().equals(kind) && leg(e, leg))
        .findFirst();
  }

  private static List<String> lines(List<MitmLog.Entry> entries, int id, String from) {
    return entries.stream()
        .filter(
            e ->
                e.connection() == id
                    && e.kind().equals("line")
                    && from.equals(e.string("from").orElse("")))
        .filter(e -> !e.flag("undelivered") && !e.flag("partial"))
        .map(e -> e.string("text").orElse(""))
        .filter(t -> !t.isBlank())
        .collect(Collectors.toList());
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.isRegularFile(file) && !Steps.tooLarge(file)
          ? Files.readAllLines(file, StandardCharsets.UTF_8)
          : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private Report answers(Report r, Workspace ws) {
    Answers a = ws.answers("08.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    // A conceptual answer: read by the instructor, never passed on keywords (issue 10).
    Optional<String> fix = a.get("fix");
    fix.ifPresent(f -> r.collect("fix", f));
    r.expect(
        fix.isPresent() && !fix.get().isBlank(),
        "fix is answered (your instructor reads it)",
        "write fix: <one sentence in your own words: what did the refusing client do that"
            + " --insecure skips?> in "
            + a.file());
    return r;
  }
}
