package tlslab.demo;

import java.nio.file.Path;
import java.util.List;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.Row;
import tlslab.trace.TraceEvent;

/**
 * What one demo run produced: the annotated frames of its capture (empty when capturing was not
 * possible), the JSSE trace of every connection, the lines each client received, and the session
 * each client negotiated.
 *
 * @param serverPort the chat server's TCP port
 * @param capture the pcap file, or null when no capture could be taken
 * @param keyLog the NSS key log the clients wrote
 * @param rows every frame of the capture annotated as Wireshark shows it without keys
 * @param decrypted the same frames annotated with the key log (decrypted application data)
 * @param events every trace event, both sides, in the order JSSE logged them
 * @param protocol the negotiated protocol, e.g. {@code TLSv1.2}
 * @param cipherSuite the negotiated suite, e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
 * @param sent the chat lines the clients typed, as "name: text"
 * @param received the lines each client received, as "name: line"
 * @param serverKey a copy of the server's private key, left beside the capture for the report
 *     profile (so that {@code lab annotate --key} can show why TLS_RSA is weak), or null
 * @param captureProblem why there is no capture, or null
 * @param connections the facts of each TLS connection in the capture (annotated with the key log),
 *     in order: alice's first, then bob's; empty without a capture
 * @param captureCheck whether the capture holds all of the demo's traffic and keys, or null without
 *     a capture
 */
public record DemoRun(
    int serverPort,
    Path capture,
    Path keyLog,
    List<Row> rows,
    List<Row> decrypted,
    List<TraceEvent> events,
    String protocol,
    String cipherSuite,
    List<String> sent,
    List<String> received,
    Path serverKey,
    String captureProblem,
    List<ConnectionFacts> connections,
    CaptureCheck captureCheck) {
  public DemoRun {
    connections = List.copyOf(connections);
  }

  /** True when there is a capture and something of the demo's traffic or keys is missing in it. */
  public boolean captureIncomplete() {
    return captureCheck != null && !captureCheck.complete();
  }
}
