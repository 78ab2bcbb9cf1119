package tlslab.exercise.checks;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Answers;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.mitm.MitmLog;
import tlslab.pki.CertificateSummary;

/**
 * Exercise 6, second part: the tamper run. An attacker ({@code lab mitm --tamper strip-dhe})
 * removed the (EC)DHE suites from a Client Hello on its way to the student's server; the server's
 * own trace, the attacker's log and the capture of both legs must tell one story:
 *
 * <ul>
 *   <li>the log records the edit (suites before and after) and the client random;
 *   <li>the server's JSSE trace consumed a Client Hello with that random, presented the student's
 *       own certificate (SHA-256 fingerprint), and produced the alert the log saw;
 *   <li>the capture shows the student's certificate on both legs, each ended by an alert;
 *   <li>the answer names that alert, exactly as the evidence shows it.
 * </ul>
 */
final class TamperRun {
  static final String LOG = "06.jsonl";
  static final String SERVER_TRACE = "06-server.jsonl";
  static final String PCAP = "06.pcap";

  private TamperRun() {}

  static void check(Report r, Workspace ws, X509Certificate mine, Answers answers) {
    Path logFile = ws.dir().resolve("mitm").resolve(LOG);
    Path traceFile = ws.trace(SERVER_TRACE);
    String how =
        "lab mitm --tamper strip-dhe --listen 9443 --upstream localhost:8443 --log " + logFile;
    if (Files.isRegularFile(logFile) && Steps.tooLarge(logFile)) {
      r.fail(
          LOG + " is a lab mitm log",
          logFile + " is larger than a lab mitm log of an exercise (64 MiB): make it with: " + how);
      return;
    }
    MitmLog.Read log = MitmLog.read(logFile);
    if (log.problem() != null) {
      r.fail(
          "the tamper log " + LOG + " is a lab mitm log", log.problem() + "; make it with: " + how);
      return;
    }
    Optional<MitmLog.Entry> edit =
        log.entries().stream()
            .filter(
                e ->
                    e.kind().equals("edit")
                        && e.flag("changed")
                        && e.string("client_random").isPresent())
            .findFirst();
    if (edit.isEmpty()) {
      r.fail(
          "the attacker edited a Client Hello",
          logFile
              + " records no edited Client Hello: run "
              + how
              + " and connect the openssl client of step 4 to port 9443");
      return;
    }
    r.pass("the attacker edited a Client Hello");
    int id = edit.get().connection();
    String random = edit.get().string("client_random").get();
    Optional<String> seenAlert =
        log.entries().stream()
            .filter(
                e ->
                    e.connection() == id
                        && e.kind().equals("alert")
                        && "server".equals(e.string("from").orElse("")))
            .map(e -> e.string("description").orElse(""))
            .findFirst();
    r.expect(
        seenAlert.isPresent(),
        "the log shows your server's alert",
        "connection "
            + id
            + " of "
            + logFile
            + " has no alert from the server: did the handshake reach your server?");

    // The server's own trace of that very handshake.
    Optional<JsonObject> hello = Optional.empty();
    List<JsonObject> events = readJsonLines(traceFile);
    if (events == null) {
      r.fail(
          SERVER_TRACE + " is your server's trace",
          traceFile
              + " is missing or not a lab trace: lab server --certs "
              + ws.certs()
              + " --profile report --trace-json "
              + traceFile);
      return;
    }
    hello =
        events.stream()
            .filter(
                e ->
                    is(e, "side", "server")
                        && is(e, "direction", "consumed")
                        && is(e, "message", "Client Hello"))
            .filter(e -> random.equalsIgnoreCase(str(e, "random")))
            .findFirst();
    r.expect(
        hello.isPresent(),
        "your server's trace holds the edited Client Hello (same client random as the log)",
        "no Client Hello with random "
            + random.substring(0, 16)
            + "… in "
            + traceFile
            + ": trace the server of this very run");
    if (hello.isEmpty()) {
      return;
    }
    long conn = hello.get().get("connection").getAsLong();
    List<JsonObject> ofConn =
        events.stream()
            .filter(e -> e.has("connection") && e.get("connection").getAsLong() == conn)
            .toList();
    String mineSha = CertificateSummary.sha256Fingerprint(mine);
    boolean own =
        ofConn.stream()
            .anyMatch(
                e ->
                    is(e, "message", "Certificate")
                        && is(e, "direction", "produced")
                        && e.has("certificate_sha256")
                        && e.get("certificate_sha256").isJsonArray()
                        && e.getAsJsonArray("certificate_sha256").size() > 0
                        && e.getAsJsonArray("certificate_sha256")
                            .get(0)
                            .getAsString()
                            .equalsIgnoreCase(mineSha));
    r.expect(
        own,
        "that handshake was made with your server certificate",
        "the server in "
            + traceFile
            + " did not present "
            + ws.certs().resolve("server.pem")
            + ": run lab server --certs "
            + ws.certs());
    Optional<String> traced =
        ofConn.stream()
            .filter(
                e ->
                    is(e, "side", "server")
                        && is(e, "direction", "produced")
                        && is(e, "message", "Alert"))
            .map(e -> str(e, "alert"))
            .findFirst();
    r.expect(
        traced.isPresent() && traced.equals(seenAlert),
        "your server's trace produced the alert the attacker saw",
        traced.isEmpty()
            ? "the server's trace shows no alert on that connection"
            : "the trace says " + traced.get() + ", the log " + seenAlert.orElse("nothing"));

    // The capture of both legs: the same certificate, each leg ended by an alert.
    String capHow =
        "sudo lab capture --iface lo --filter 'tcp port 8443 or tcp port 9443' --out "
            + ws.capture(PCAP);
    // With the server's key the client's Finished can be read (TLS_RSA: the pre-master secret is
    // encrypted to it), and compared with each leg's handshake.
    KeyMaterial serverKey = KeyMaterial.none();
    try {
      serverKey = KeyMaterial.none().withRsaKey(ws.certs().resolve("server.key"));
    } catch (tlslab.common.LabException | IllegalArgumentException | IllegalStateException e) {
      // no RSA key: the Finished requirement below says so
    }
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, serverKey, capHow);
    if (cap != null
        && Steps.complete(
            r,
            cap,
            PCAP,
            "a leg ended by an alert is one after which no application data was sent")) {
      List<ConnectionFacts> ended =
          cap.facts().stream()
              .filter(
                  c ->
                      !c.serverCertificates().isEmpty()
                          && CaptureEvidence.same(c.serverCertificates().get(0), mine))
              .filter(c -> endsInAlert(cap, c))
              .toList();
      long legs = ended.size();
      finishedShowsTheEdit(r, ws, cap, ended, log.entries());
      r.expect(
          legs >= 2,
          PCAP + " shows both legs: your certificate, then the alert",
          "the capture shows "
              + legs
              + " connection(s) with your certificate ended by an alert; capture both ports ("
              + capHow
              + ")");
    }
    String said = answers.lower("alert").replace(' ', '_');
    r.expect(
        traced.isPresent() && said.equals(traced.get().toLowerCase(Locale.ROOT)),
        "alert names the alert your server sent",
        "which alert did your server send? lab mitm and the server's trace print its name (e.g. handshake_failure)");
  }

  static final String CLIENT_FINISHED_MATCHES =
      "the client's Finished matches the handshake as captured";

  /**
   * "the client's Finished in 06.pcap covers the hello it sent, not the one your server received":
   * decrypted with the student's server.key, the client's Finished matches the handshake on the leg
   * the client spoke to (the attacker's port), and not the handshake on the leg to the server,
   * whose Client Hello the attacker edited (RFC 5246 §7.4.9: it is a MAC over every handshake
   * message). This is what the server's alert caught; and it ties the capture to the student's
   * server key, which no one else's tamper run was made with.
   */
  private static void finishedShowsTheEdit(
      Report r,
      Workspace ws,
      CaptureEvidence cap,
      List<ConnectionFacts> legs,
      List<MitmLog.Entry> log) {
    String listen =
        log.stream()
            .filter(e -> e.kind().equals("start"))
            .findFirst()
            .flatMap(e -> e.string("listen"))
            .orElse("");
    String port = listen.substring(listen.lastIndexOf(':') + 1);
    Optional<ConnectionFacts> victim =
        legs.stream().filter(c -> !port.isEmpty() && c.server().endsWith(":" + port)).findFirst();
    Optional<ConnectionFacts> upstream =
        legs.stream().filter(c -> victim.isEmpty() || c != victim.get()).findFirst();
    String requirement =
        "the client's Finished in " + PCAP + " covers the hello it sent, not the edited one";
    if (victim.isEmpty() || upstream.isEmpty()) {
      return; // the requirement on both legs above already failed
    }
    boolean sentMatches = cap.proof(victim.get()).verified().contains(CLIENT_FINISHED_MATCHES);
    boolean receivedMatches =
        cap.proof(upstream.get()).verified().contains(CLIENT_FINISHED_MATCHES);
    r.expect(
        sentMatches && !receivedMatches,
        requirement,
        !sentMatches
            ? "decrypted with "
                + ws.certs().resolve("server.key")
                + ", the client's Finished on the leg to port "
                + port
                + " does not match that leg's handshake, or cannot be read: the key exchange in "
                + cap.file()
                + " was not made with your server's key (run the tamper with your own server,"
                + " the report profile, and openssl with 06-no-ems.cnf)"
            : "on the leg to your server the client's Finished matches the handshake your server"
                + " received: no Client Hello was edited in this capture");
  }

  private static boolean endsInAlert(CaptureEvidence cap, ConnectionFacts c) {
    return c.clientApplicationData() == 0
        && cap.rowsOf(c).stream()
            .anyMatch(
                row -> CaptureEvidence.labels(row).stream().anyMatch(l -> l.startsWith("Alert")));
  }

  private static boolean is(JsonObject o, String k, String v) {
    return v.equals(str(o, k));
  }

  private static String str(JsonObject o, String k) {
    JsonElement e = o.get(k);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** The objects of a JSON-lines file; null when it is missing or any line is not an object. */
  private static List<JsonObject> readJsonLines(Path file) {
    if (!Files.isRegularFile(file) || Steps.tooLarge(file)) {
      return null;
    }
    try {
      List<JsonObject> out = new java.util.ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonElement e = JsonParser.parseString(line);
        if (!e.isJsonObject()) {
          return null;
        }
        out.add(e.getAsJsonObject());
      }
      return out.isEmpty() ? null : out;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      return null;
    }
  }
}
