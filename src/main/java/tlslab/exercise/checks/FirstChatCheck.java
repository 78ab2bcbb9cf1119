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
    List<String> names = names(id, ws, sent);
    if (names.isEmpty()) {
      return r.fail(
          "a decrypted line contains your name",
          "the client never said who it is: connect with --name YOURNAME and type a line with"
              + " your name");
    }
    r.expect(
        sent.stream().filter(l -> !l.startsWith("/")).anyMatch(l -> namesOneOf(l, names)),
        "a decrypted line contains your name",
        "the client's decrypted lines are "
            + sent
            + ": none of them (commands aside) names '"
            + names.get(0)
            + "'; type a line such as 'hello from "
            + names.get(0)
            + "'");
    return r;
  }

  /**
   * Who the student is, as a chat line may name them, the full name first. In class: the manifest's
   * name and ID; checking with a bundle: its certificate's CN and UID (the same two); alone: the
   * nick the client took. A nick holds no spaces, so the exercise's "hello from YOURNAME" often
   * carries a first name only: any one word of the full name counts (the name is what the student
   * says of themselves; what proves the work theirs is the challenge).
   */
  private static List<String> names(Identity id, Workspace ws, List<String> sent) {
    List<String> out = new java.util.ArrayList<>();
    id.student()
        .ifPresent(
            e -> {
              out.add(e.student().name());
              if (e.student().id() != null) {
                out.add(e.student().id());
              }
            });
    id.bundleCertificate().ifPresent(c -> out.addAll(subjectNames(c)));
    if (out.isEmpty()) {
      ws.student().ifPresent(out::add);
    }
    if (out.isEmpty()) {
      nick(sent).ifPresent(out::add);
    }
    return out.stream().filter(n -> !n.isBlank()).distinct().toList();
  }

  /** The certificate's CN and UID values (a class bundle's: the student's name and ID). */
  private static List<String> subjectNames(X509Certificate cert) {
    List<String> out = new java.util.ArrayList<>();
    String dn =
        cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
    for (String rdn : dn.split("(?<!\\\\),")) {
      int eq = rdn.indexOf('=');
      String type = eq < 0 ? "" : rdn.substring(0, eq).strip().toUpperCase(java.util.Locale.ROOT);
      if (type.equals("CN") || type.equals("UID")) {
        out.add(type.equals("CN") ? 0 : out.size(), rdn.substring(eq + 1).replace("\\", ""));
      }
    }
    return out;
  }

  /**
   * Whether {@code line} names one of {@code names}: the whole name, or one of its words (two
   * letters or more) as a word of the line, case and accents aside.
   */
  static boolean namesOneOf(String line, List<String> names) {
    String plain = Steps.plain(line);
    List<String> words = List.of(plain.split("[^\\p{L}\\p{N}]+"));
    for (String n : names) {
      String p = Steps.plain(n);
      if (!p.isEmpty() && plain.contains(p)) {
        return true;
      }
      for (String w : p.split("[^\\p{L}\\p{N}]+")) {
        if (w.length() >= 2 && words.contains(w)) {
          return true;
        }
      }
    }
    return false;
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
