package tlslab.exercise.checks;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tlslab.common.LabException;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.LabCertificates;

/**
 * Exercise 6: what Wireshark's "Encrypted Handshake Message" is, and what it catches. The student's
 * JSON trace must hold a full handshake with the student's own server certificate (by SHA-256
 * fingerprint, so a friend's trace does not pass) in which each side produced its Finished (RFC
 * 5246 §7.4.9); the answers must name Finished and say it proves the transcript and the keys. Then
 * the tamper run ({@link TamperRun}): an attacker edits a Client Hello on its way to the student's
 * server and the server's Finished check refuses the handshake.
 */
public final class FinishedCheck implements Checker {
  static final String TRACE = "06.jsonl";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    String how =
        "lab trace --certs "
            + ws.certs()
            + " --port "
            + TRACE_PORT
            + " --trace-json "
            + ws.trace(TRACE);
    TraceFile trace = TraceFile.read(ws.trace(TRACE));
    if (trace.problem() != null) {
      r.fail(TRACE + " is a lab trace", trace.problem() + "; make it with: " + how);
    } else {
      r.pass(TRACE + " is a lab trace");
      Optional<Integer> full = fullHandshake(trace);
      r.expect(
          full.isPresent(),
          "the trace holds a full handshake",
          "no connection in the trace has a server Certificate: trace a fresh session ("
              + how
              + ")");
      full.ifPresent(
          id -> {
            if (madeWithOwnCertificates(r, ws, trace, id, how)) {
              inCapture(r, ws, trace, id);
            }
          });
      full.ifPresent(
          id -> {
            boolean client = trace.produced(id, "client", "Finished");
            boolean server = trace.produced(id, "server", "Finished");
            r.expect(
                client && server,
                "each side produced a Finished",
                "connection "
                    + id
                    + " has a Finished from "
                    + (client ? "the client only" : server ? "the server only" : "neither side")
                    + ": the handshake did not complete; trace it again");
          });
    }
    Answers a = ws.answers("06.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    // A factual answer: the message's name, as the trace, Wireshark or the RFC spell it.
    String message = Steps.squash(a.lower("message"));
    r.expect(
        message.equals("FINISHED") || message.equals("FINISHEDMESSAGE"),
        "message names the real message",
        "which handshake message is the first one sent under the new keys (RFC 5246 §7.4.9)?"
            + " Write its name as the trace shows it");
    // A conceptual answer: read by the instructor, never passed on keywords (issue 10).
    Optional<String> proves = a.get("proves").filter(p -> !p.isBlank());
    proves.ifPresent(p -> r.collect("proves", p));
    r.expect(
        proves.isPresent(),
        "proves is answered (your instructor reads it)",
        "write proves: <one sentence in your own words> in " + a.file());
    TamperPart.check(r, ws, a);
    return r;
  }

  /** The second part: the tamper run, checked against the student's own server certificate. */
  private static final class TamperPart {
    static void check(Report r, Workspace ws, Answers a) {
      tlslab.exercise.Identity id = Steps.identity(r, ws);
      java.security.cert.X509Certificate mine = Steps.ownServerCertificate(r, ws);
      if (mine != null && id != null) {
        // The server of the tamper run is the student's: its certificate names their challenge.
        Steps.serverCertificateCarriesChallenge(r, ws, id, mine);
        TamperRun.check(r, ws, mine, a);
      }
    }
  }

  static final String OWN_CERTIFICATES = "the trace was made with your certificates";

  /**
   * The requirement that connection {@code id}'s server certificate is the student's own {@code
   * certs/server.pem}, compared by SHA-256 fingerprint. Every lab CA names its server {@code
   * CN=localhost}, so subjects cannot tell a friend's trace from one's own; the fingerprint of the
   * DER can, since each student's {@code lab certs init} makes fresh keys.
   */
  static final String TRACE_PCAP = "06-trace.pcap";

  /** The port the exercises give {@code lab trace --port} and {@code lab capture --port}. */
  static final int TRACE_PORT = 8444;

  /**
   * "the trace describes a handshake in your capture 06-trace.pcap": the trace's Client Hello
   * random is that of a connection in the capture made while {@code lab trace} ran, which shows the
   * student's server certificate and whose handshake verifies (the Server Key Exchange signed by
   * that certificate's key). A trace is a text file anyone can type, with the fingerprint {@code
   * lab certs show} prints; a handshake signed by the student's server key is not.
   */
  private static void inCapture(Report r, Workspace ws, TraceFile trace, int id) {
    java.security.cert.X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null) {
      return;
    }
    String how =
        "lab capture --iface lo --port "
            + TRACE_PORT
            + " --out "
            + ws.capture(TRACE_PCAP)
            + " running while lab trace --port "
            + TRACE_PORT
            + " runs (part A)";
    CaptureEvidence cap = Steps.capture(r, ws, TRACE_PCAP, tlslab.annotate.KeyMaterial.none(), how);
    if (cap == null) {
      return;
    }
    String requirement = "the trace describes a handshake in your capture " + TRACE_PCAP;
    String random = trace.clientRandom(id);
    Optional<tlslab.annotate.ConnectionFacts> c =
        random.isEmpty() ? Optional.empty() : cap.withClientRandom(random);
    if (c.isEmpty()) {
      r.fail(
          requirement,
          "the Client Hello random in "
              + ws.trace(TRACE)
              + " is not that of any connection in "
              + cap.file()
              + ": a trace counts only with the capture of the same run ("
              + how
              + ")");
      return;
    }
    boolean own =
        !c.get().serverCertificates().isEmpty()
            && CaptureEvidence.same(c.get().serverCertificates().get(0), mine);
    r.expect(
        own,
        requirement,
        "that connection of your capture shows another server certificate than your "
            + ws.certs().resolve("server.pem"));
    if (own && Steps.genuine(r, cap, List.of(c.get()), TRACE_PCAP)) {
      Steps.onlyThisRun(r, cap, c.get(), TRACE_PCAP, how);
      // In class, the traced handshake carries the student's class certificate and its Certificate
      // Verify (verified above): the holder of their class key ran it, not a classmate.
      tlslab.exercise.Identity who = ws.identity();
      if (who.problem() == null) {
        Steps.classCertificateUsed(
            r, ws, who, cap, List.of(c.get()), TRACE_PCAP, Steps.traceWithClassCertificate(ws));
      }
    }
  }

  static boolean madeWithOwnCertificates(
      Report r, Workspace ws, TraceFile trace, int id, String how) {
    Path serverPem = ws.certs().resolve("server.pem");
    String own;
    try {
      own =
          CertificateSummary.sha256Fingerprint(
              CertificateFile.read(serverPem, LabCertificates.STORE_PASSWORD).leaf());
    } catch (LabException e) {
      r.fail(
          OWN_CERTIFICATES,
          "cannot read your server certificate ("
              + e.getMessage()
              + "): run lab certs init --dir "
              + ws.certs());
      return false;
    }
    Optional<String> traced = trace.serverCertificateSha256(id);
    boolean ok = traced.isPresent() && traced.get().equalsIgnoreCase(own);
    r.expect(
        ok,
        OWN_CERTIFICATES,
        traced.isEmpty()
            ? "the trace records no certificate fingerprint (an older or edited trace): run " + how
            : "this trace was not made with your certificates: run "
                + how
                + " (its server certificate's SHA-256 is not the one of "
                + ws.show(serverPem)
                + ")");
    return ok;
  }

  /** The first connection whose server produced a Certificate: a full handshake. */
  static Optional<Integer> fullHandshake(TraceFile trace) {
    return trace.connections().stream()
        .filter(
            id ->
                trace.produced(id, "server", "Certificate")
                    && trace.produced(id, "client", "Client Hello"))
        .findFirst();
  }
}
