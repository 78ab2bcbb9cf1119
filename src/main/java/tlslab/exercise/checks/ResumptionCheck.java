package tlslab.exercise.checks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.trace.MessageType;

/**
 * Exercise 7: session tickets. The student's trace must show a full handshake that issues a New
 * Session Ticket (RFC 5077 §3.3), made with the student's own server certificate (by SHA-256
 * fingerprint), and a later one that resumes it: no Certificate, no key exchange, yet a Finished
 * from each side. The messages the student lists as missing must really be missing from their
 * resumed handshake, and include the Certificate and the key exchange.
 */
public final class ResumptionCheck implements Checker {
  static final String TRACE = "07.jsonl";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    String how =
        "lab trace --certs "
            + ws.certs()
            + " --port "
            + FinishedCheck.TRACE_PORT
            + " --resume --trace-json "
            + ws.trace(TRACE);
    TraceFile trace = TraceFile.read(ws.trace(TRACE));
    Optional<Integer> full = Optional.empty();
    Optional<Integer> resumed = Optional.empty();
    if (trace.problem() != null) {
      r.fail(TRACE + " is a lab trace", trace.problem() + "; make it with: " + how);
    } else {
      r.pass(TRACE + " is a lab trace");
      full = FinishedCheck.fullHandshake(trace);
      boolean ticket =
          full.isPresent() && trace.produced(full.get(), "server", "New Session Ticket");
      r.expect(
          ticket,
          "a full handshake issues a session ticket",
          full.isEmpty()
              ? "no connection in the trace has a server Certificate: " + how
              : "the server sent no New Session Ticket: make the trace with lab trace (TLS 1.2,"
                  + " tickets on)");
      full.ifPresent(id -> FinishedCheck.madeWithOwnCertificates(r, ws, trace, id, how));
      int after = full.orElse(Integer.MAX_VALUE);
      resumed =
          trace.connections().stream()
              .filter(
                  id ->
                      id > after
                          && trace.produced(id, "client", "Client Hello")
                          && !trace.messages(id).contains("Certificate")
                          && trace.produced(id, "client", "Finished")
                          && trace.produced(id, "server", "Finished"))
              .findFirst();
      r.expect(
          resumed.isPresent(),
          "a later handshake resumes the session, without Certificate",
          "the trace has no completed second handshake without Certificate: add --resume ("
              + how
              + ")");
    }
    if (full.isPresent() && resumed.isPresent()) {
      matchesCapture(r, ws, trace, full.get(), resumed.get());
    }
    Answers a = ws.answers("07.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    String requirement = "missing-in-resumed names Certificate and the key exchange messages";
    List<String> unknown = new ArrayList<>();
    Set<MessageType> named = new LinkedHashSet<>();
    for (String part : a.lower("missing-in-resumed").split("[,;]")) {
      String p = Steps.squash(part);
      if (p.isEmpty()) {
        continue;
      }
      if (p.equals("KEYEXCHANGE") || p.equals("KEYEXCHANGES")) {
        named.add(MessageType.SERVER_KEY_EXCHANGE);
        named.add(MessageType.CLIENT_KEY_EXCHANGE);
        continue;
      }
      Optional<MessageType> t = messageType(p);
      if (t.isPresent()) {
        named.add(t.get());
      } else {
        unknown.add(part.strip());
      }
    }
    if (named.isEmpty() && unknown.isEmpty()) {
      return r.fail(
          requirement, "write missing-in-resumed: <message names, comma-separated> in " + a.file());
    }
    if (!unknown.isEmpty()) {
      return r.fail(
          requirement,
          "not message names: "
              + unknown
              + " (write them as the trace"
              + " does, e.g. Server Hello Done)");
    }
    if (full.isPresent() && resumed.isPresent()) {
      List<String> inFull = trace.messages(full.get());
      List<String> inResumed = trace.messages(resumed.get());
      List<String> notMissing =
          named.stream().map(MessageType::label).filter(inResumed::contains).toList();
      List<String> neverThere =
          named.stream().map(MessageType::label).filter(l -> !inFull.contains(l)).toList();
      if (!notMissing.isEmpty()) {
        return r.fail(requirement, "your resumed handshake does contain " + notMissing);
      }
      if (!neverThere.isEmpty()) {
        return r.fail(requirement, "your full handshake has no " + neverThere + " either");
      }
    }
    boolean keyExchange =
        named.contains(MessageType.SERVER_KEY_EXCHANGE)
            || named.contains(MessageType.CLIENT_KEY_EXCHANGE);
    r.expect(
        named.contains(MessageType.CERTIFICATE) && keyExchange,
        requirement,
        !named.contains(MessageType.CERTIFICATE)
            ? "which message carries the server's identity, and is not needed again?"
            : "which messages agree on a fresh pre-master secret, and are not needed again?");
    return r;
  }

  static final String PCAP = "07.pcap";

  /**
   * "the trace describes handshakes in your capture": the Client Hello randoms of the full and the
   * resumed handshake are those of two connections in {@code 07.pcap}, captured while the trace
   * ran; the full one shows the student's own server certificate (which carries their challenge),
   * the second is resumed on the wire too. A trace typed by hand, or a friend's, names randoms no
   * capture of the student's holds: 32 random bytes never repeat.
   */
  private static void matchesCapture(
      Report r, Workspace ws, TraceFile trace, int full, int resumed) {
    Identity id = Steps.identity(r, ws);
    java.security.cert.X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (id == null || mine == null) {
      return;
    }
    Steps.serverCertificateCarriesChallenge(r, ws, id, mine);
    String how =
        "lab capture --iface lo --port "
            + FinishedCheck.TRACE_PORT
            + " --out "
            + ws.capture(PCAP)
            + " running while lab trace --port "
            + FinishedCheck.TRACE_PORT
            + " --resume runs";
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, tlslab.annotate.KeyMaterial.none(), how);
    if (cap == null) {
      return;
    }
    String requirement = "the trace describes handshakes in your capture " + PCAP;
    Optional<tlslab.annotate.ConnectionFacts> f = cap.withClientRandom(trace.clientRandom(full));
    Optional<tlslab.annotate.ConnectionFacts> s = cap.withClientRandom(trace.clientRandom(resumed));
    if (trace.clientRandom(full).isEmpty() || f.isEmpty() || s.isEmpty()) {
      r.fail(
          requirement,
          "the Client Hello randoms in "
              + ws.trace(TRACE)
              + " are not those of any connection in "
              + cap.file()
              + ": a trace counts only with the capture of the same run ("
              + how
              + ")");
      return;
    }
    boolean own =
        !f.get().serverCertificates().isEmpty()
            && CaptureEvidence.same(f.get().serverCertificates().get(0), mine);
    if (own && !Steps.genuine(r, cap, List.of(f.get()), PCAP)) {
      return;
    }
    r.expect(
        own && s.get().resumed(),
        requirement,
        !own
            ? "the full handshake in your capture shows another server certificate than your "
                + ws.certs().resolve("server.pem")
            : "your capture shows the second handshake as a full one: trace with --resume");
    if (own && s.get().resumed()) {
      Steps.onlyThisRun(r, cap, f.get(), PCAP, how);
      // In class, the full handshake carries the student's class certificate, its Certificate
      // Verify verified above: the holder of their class key ran the trace.
      Steps.classCertificateUsed(
          r, ws, id, cap, List.of(f.get()), PCAP, Steps.traceWithClassCertificate(ws));
    }
  }

  /** The message a student named, by Wireshark label or JSSE name in any spelling. */
  private static Optional<MessageType> messageType(String squashed) {
    for (MessageType t : MessageType.values()) {
      if (Steps.squash(t.label()).equals(squashed)
          || Steps.squash(t.jsseName()).equals(squashed)
          || (Steps.squash(t.label()) + "S").equals(squashed)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
