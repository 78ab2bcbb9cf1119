package tlslab.exercise.checks;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/**
 * Exercise 3: the frame number of each handshake message in the student's own capture from exercise
 * 2, checked against the frames the lab (like Wireshark) labels with that message.
 */
public final class HandshakeReadingCheck implements Checker {
  /** Answer key to Wireshark's label, in handshake order (RFC 5246 §7.3). */
  private static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("client-hello", "Client Hello");
    KEYS.put("server-hello", "Server Hello");
    KEYS.put("client-key-exchange", "Client Key Exchange");
    KEYS.put("new-session-ticket", "New Session Ticket");
    KEYS.put("first-application-data", "Application Data");
  }

  private static final Pattern NUMBER = Pattern.compile("\\d+");

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    X509Certificate mine = Steps.ownServerCertificate(r, ws);
    if (mine == null || id == null) {
      return r;
    }
    String how = "exercise 2";
    KeyMaterial keys =
        Steps.keyLog(
            r,
            ws,
            FirstChatCheck.KEYLOG,
            FirstChatCheck.PCAP,
            "your key log " + FirstChatCheck.KEYLOG + " is readable",
            how);
    if (keys == null) {
      return r;
    }
    CaptureEvidence cap = Steps.capture(r, ws, FirstChatCheck.PCAP, keys, how);
    if (cap == null) {
      return r;
    }
    Optional<ConnectionFacts> own =
        Steps.ownServerHandshake(r, ws, cap, FirstChatCheck.PCAP, mine, how);
    if (own.isEmpty()) {
      return r;
    }
    if (!Steps.challengeSent(r, ws, id, cap, Steps.ownSessions(cap, mine), FirstChatCheck.PCAP)
        || !Steps.classCertificateUsed(
            r, ws, id, cap, Steps.ownSessions(cap, mine), FirstChatCheck.PCAP)) {
      return r;
    }
    // Frame numbers count every packet: with some lost, "the first Application Data" of the file
    // need not be the first that was sent.
    if (!Steps.complete(
        r,
        cap,
        FirstChatCheck.PCAP,
        "each answer is the number of a frame among all the packets of the session")) {
      return r;
    }
    List<Row> rows = cap.rowsOf(own.get());
    Answers a = ws.answers("03.txt");
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    // Frame numbers are the same in every honest loopback capture, so a classmate's 03.txt would
    // match; the Client Hello's random is in no one else's (32 fresh bytes per handshake).
    String random = cap.hellos(own.get()).clientRandom();
    String answered = a.lower("client-random").replaceAll("[^0-9a-f]", "");
    r.expect(
        !random.isEmpty() && answered.length() >= 8 && random.startsWith(answered),
        "client-random starts the Client Hello random of your " + FirstChatCheck.PCAP,
        random.isEmpty()
            ? "the Client Hello of your capture was not seen whole: redo exercise 2"
            : "copy at least the first 8 hex digits of the random of the Client Hello in your own "
                + cap.file()
                + " (tshark -r "
                + cap.file()
                + " -d tcp.port==8443,tls -Y 'tls.handshake.type == 1' -T fields -e"
                + " tls.handshake.random, or Wireshark: Handshake Protocol → Random)");
    for (Map.Entry<String, String> e : KEYS.entrySet()) {
      String key = e.getKey();
      String label = e.getValue();
      List<Long> carrying =
          rows.stream()
              .filter(row -> CaptureEvidence.labels(row).contains(label))
              .map(row -> row.number)
              .toList();
      String requirement = key + " is the frame that carries the " + label;
      if (carrying.isEmpty()) {
        r.fail(
            requirement,
            "your capture has no frame labelled '"
                + label
                + "': redo exercise 2"
                + " with the default profile and a line of chat");
        continue;
      }
      // The first Application Data is one frame; any other message appears once per handshake.
      List<Long> accepted = key.startsWith("first-") ? carrying.subList(0, 1) : carrying;
      Optional<Long> answer = a.get(key).flatMap(HandshakeReadingCheck::number);
      if (answer.isEmpty()) {
        r.fail(requirement, "give " + key + ": <frame number> in " + a.file());
      } else if (accepted.contains(answer.get())) {
        r.pass(requirement);
      } else {
        r.fail(
            requirement,
            "frame "
                + answer.get()
                + " of your "
                + FirstChatCheck.PCAP
                + " is "
                + info(cap, answer.get())
                + ", not the "
                + (key.startsWith("first-") ? "first " : "")
                + "'"
                + label
                + "': find it with lab annotate "
                + cap.file());
      }
    }
    return r;
  }

  private static Optional<Long> number(String answer) {
    Matcher m = NUMBER.matcher(answer);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(m.group()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String info(CaptureEvidence cap, long frame) {
    return cap.rows().stream()
        .filter(row -> row.number == frame)
        .findFirst()
        .map(row -> "'" + row.info + "'")
        .orElse("not there (the capture has " + cap.rows().size() + " frames)");
  }
}
