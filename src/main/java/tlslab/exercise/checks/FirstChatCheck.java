package tlslab.exercise.checks;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 2: the student's first chat, captured. The capture must hold a complete handshake with
 * the student's own server certificate, application data after it, and the student's key log must
 * decrypt it to a line that names them.
 */
public final class FirstChatCheck implements Checker {
  static final String PCAP = "02.pcap";
  static final String KEYLOG = "02.keylog";

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null || id == null) {
      return r;
    }
    String how =
        "lab capture --port 8443 --out "
            + ws.capture(PCAP)
            + " while lab client --keylog "
            + ws.capture(KEYLOG)
            + " chats";
    KeyMaterial keys =
        Steps.keyLog(r, ws, KEYLOG, PCAP, "your key log " + KEYLOG + " is readable", how);
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, keys == null ? KeyMaterial.none() : keys, how);
    if (cap == null) {
      return r;
    }
    Optional<ConnectionFacts> own = Steps.ownServerHandshake(r, ws, cap, PCAP, mine, how);
    if (own.isEmpty()) {
      return r;
    }
    // A student may have connected more than once: every session with their server counts.
    List<ConnectionFacts> sessions = Steps.ownSessions(cap, mine);
    r.expect(
        sessions.stream()
            .anyMatch(c -> c.clientApplicationData() > 0 && c.serverApplicationData() > 0),
        "application data follows the handshake, both ways",
        "the capture stops before the chat: keep lab capture running until the client has sent"
            + " its line and quit");
    if (keys == null) {
      return r;
    }
    if (sessions.stream().allMatch(c -> c.decryptedRecords() == 0)) {
      return r.fail(
          "your key log decrypts " + PCAP,
          "none of the secrets in "
              + ws.capture(KEYLOG)
              + " belongs to this session: hand in the"
              + " key log the client wrote (--keylog) during this very capture");
    }
    r.pass("your key log decrypts " + PCAP);
    Steps.challengeSent(r, ws, id, cap, sessions, PCAP);
    Steps.classCertificateUsed(r, ws, id, cap, sessions, PCAP);
    List<String> sent =
        sessions.stream().flatMap(c -> cap.chatLines(c).get("client").stream()).toList();
    Optional<String> name =
        id.student().map(e -> e.student().name()).or(ws::student).or(() -> nick(sent));
    if (name.isEmpty()) {
      return r.fail(
          "a decrypted line contains your name",
          "the client never said who it is: connect with --name YOURNAME and type a line with"
              + " your name");
    }
    String n = Steps.plain(name.get());
    // In class the ID may be what the student typed: either names them.
    Optional<String> studentId = id.student().map(e -> e.student().id()).filter(x -> x != null);
    r.expect(
        sent.stream()
            .filter(l -> !l.startsWith("/"))
            .anyMatch(
                l ->
                    Steps.plain(l).contains(n)
                        || studentId
                            .map(x -> Steps.plain(l).contains(Steps.plain(x)))
                            .orElse(false)),
        "a decrypted line contains your name",
        "the client's decrypted lines are "
            + sent
            + ": none of them (commands aside) names '"
            + name.get()
            + "'; type a line such as 'hello from "
            + name.get()
            + "'");
    return r;
  }

  /** The nick the client took ({@code /nick NAME}, what {@code lab client --name} sends). */
  private static Optional<String> nick(List<String> sent) {
    return sent.stream()
        .filter(l -> l.startsWith("/nick "))
        .map(l -> l.substring(6).strip())
        .filter(s -> !s.isEmpty())
        .reduce((first, second) -> second);
  }
}
