package tlslab.exercise.checks;

import java.util.Optional;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 6: what Wireshark's "Encrypted Handshake Message" is. The student's JSON trace must hold
 * a full handshake in which each side produced its Finished (RFC 5246 §7.4.9); the answers must
 * name Finished and say it proves the transcript and the keys.
 */
public final class FinishedCheck implements Checker {
  static final String TRACE = "06.jsonl";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    String how = "lab trace --certs " + ws.certs() + " --trace-json " + ws.trace(TRACE);
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
    r.expect(
        a.lower("message").contains("finished"),
        "message names the real message",
        "which handshake message is the first one sent under the new keys (RFC 5246 §7.4.9)?");
    String proves = a.lower("proves");
    boolean transcript =
        proves.contains("hash")
            || proves.contains("transcript")
            || proves.contains("all the handshake")
            || proves.contains("every handshake")
            || proves.contains("all handshake")
            || proves.contains("messages");
    boolean keys =
        proves.contains("key") || proves.contains("master secret") || proves.contains("secret");
    r.expect(
        transcript && keys,
        "proves mentions the handshake transcript and the keys",
        transcript
            ? "the MAC is keyed: what do both sides show they hold?"
            : keys
                ? "what is the MAC computed over? (the hash of ...)"
                : "it is a MAC over the hash of the handshake messages, keyed by the master"
                    + " secret: what does that prove?");
    return r;
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
