package tlslab.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.Payload;
import tlslab.annotate.Row;
import tlslab.annotate.TlsMessage;
import tlslab.trace.MessageType;
import tlslab.trace.Side;
import tlslab.trace.TimelineFormatter;
import tlslab.trace.TraceEvent;
import tlslab.wire.CipherSuite;
import tlslab.wire.HandshakeType;
import tlslab.wire.KeyExchangeKind;

/**
 * Prints a {@link DemoRun} in four parts: the report's Wireshark table reproduced from this
 * capture; JSSE's trace of the same handshake beside the frames that carried each message; the
 * decrypted chat; and what the report got right and wrong, shown on this very capture.
 */
public final class DemoReport {
  private final DemoRun run;
  private final PrintWriter out;

  public DemoReport(DemoRun run, PrintWriter out) {
    this.run = run;
    this.out = out;
  }

  public void print() {
    table();
    trace();
    chat();
    verdicts();
    out.flush();
  }

  private void heading(String title) {
    out.println();
    out.println(title);
    out.println("─".repeat(Math.min(78, title.length())));
  }

  private void table() {
    heading("1. The report's Wireshark table, reproduced from this capture");
    if (run.capture() == null) {
      out.println("(no capture: " + run.captureProblem() + ")");
      return;
    }
    incompleteWarning();
    out.printf(
        Locale.ROOT,
        "%4s %10s  %-10s %-10s %-8s %6s  %s%n",
        "No.",
        "Time",
        "Source",
        "Destination",
        "Protocol",
        "Length",
        "Info");
    for (Row r : run.rows()) {
      if (r.tls) {
        out.printf(
            Locale.ROOT,
            "%4d %10.6f  %-10s %-10s %-8s %6d  %s%n",
            r.number,
            r.time,
            r.source,
            r.destination,
            r.protocol,
            r.length,
            r.info);
      }
    }
    out.println(
        "Connection 1 is alice's, connection 2 bob's. Open "
            + run.capture()
            + " in Wireshark: its keys are inside the file (a Decryption Secrets Block), so it"
            + " opens decrypted; the same keys are in "
            + run.keyLog()
            + ".");
  }

  /** Says, before anything is read from it, what the capture lacks. */
  private void incompleteWarning() {
    if (!run.captureIncomplete()) return;
    paragraph(
        "WARNING: ",
        "this capture is INCOMPLETE, so the table, the decrypted chat and the checks below cannot"
            + " be trusted for what is missing. Run the demo again (on a less busy machine).");
    for (String gap : run.captureCheck().gaps()) paragraph("  - ", gap);
  }

  private void trace() {
    heading("2. The same handshake inside JSSE (server side, alice's connection)");
    Optional<Integer> conn = WireTraceAlignment.firstConnection(run.events(), Side.SERVER);
    if (conn.isEmpty()) {
      out.println("(JSSE reported no handshake messages)");
      return;
    }
    // TLS 1.3 encrypts everything after the Server Hello: without keys Wireshark shows one
    // "Application Data" per frame, so align with the frames decrypted by the key log instead.
    boolean tls13 = "TLSv1.3".equals(run.protocol());
    if (tls13) {
      out.println("(TLS 1.3: frames as Wireshark shows them decrypted with the key log)");
    }
    List<WireTraceAlignment.Pair> pairs = alignedTrace(tls13 ? run.decrypted() : run.rows());
    out.printf("%5s  %-24s  %s%n", "frame", "JSSE (→ sent, ← received)", "details");
    for (WireTraceAlignment.Pair p : pairs) {
      TraceEvent e = p.event();
      String frame = p.frame() > 0 ? String.valueOf(p.frame()) : "-";
      String name = e.direction().arrow() + " " + e.message().label();
      String details = TimelineFormatter.details(e, tls13);
      if (p.frame() > 0 && !p.wireLabel().equals(e.message().label())) {
        details = "(Wireshark: \"" + p.wireLabel() + "\") " + details;
      }
      out.printf("%5s  %-24s  %s%n", frame, name, clip(details, 45));
    }
  }

  /**
   * The server's JSSE trace of alice's connection, each message paired with its frame among {@code
   * rows} (empty when JSSE reported no handshake messages).
   */
  List<WireTraceAlignment.Pair> alignedTrace(List<Row> rows) {
    Optional<Integer> conn = WireTraceAlignment.firstConnection(run.events(), Side.SERVER);
    if (conn.isEmpty()) return List.of();
    return WireTraceAlignment.align(rows, 1, run.events(), Side.SERVER, conn.get());
  }

  private void chat() {
    heading("3. The chat, decrypted with the key log");
    out.println("typed:  " + String.join("  |  ", run.sent()));
    boolean any = false;
    for (Row r : run.decrypted()) {
      for (Payload p : r.payloads) {
        for (String line : p.lines()) {
          if (!line.isBlank()) {
            out.printf("frame %-4d %-6s %s%n", r.number, who(r.connection), line.strip());
            any = true;
          }
        }
      }
    }
    if (run.serverKey() != null) {
      out.println(
          "TLS_RSA: the server's key alone decrypts it too:  lab annotate "
              + run.capture()
              + " --key "
              + run.serverKey());
    }
    if (!any) {
      out.println(
          run.capture() == null
              ? "(no capture to decrypt)"
              : "(nothing decrypted: the key log did not match this capture)");
    }
  }

  private static String who(int connection) {
    return connection == 1 ? "alice" : connection == 2 ? "bob" : "#" + connection;
  }

  private void verdicts() {
    heading("4. The report, checked against this capture");
    out.println("This session: " + run.protocol() + ", " + run.cipherSuite() + ".");
    if (run.captureIncomplete()) {
      paragraph(
          "  ",
          "Not checked: the capture is incomplete (section 1), and a claim checked on a"
              + " capture with holes could be judged wrongly.");
      return;
    }
    for (Verdict v : verdictList()) paragraph(v.right() ? "  ✔ " : "  ✘ ", v.text());
  }

  /**
   * One of the report's claims, checked on this run's capture.
   *
   * @param right true when the capture bears the report out
   * @param text the claim and what the capture shows
   * @param frames the frames of the capture the text cites, in order
   */
  public record Verdict(boolean right, String text, List<Long> frames) {
    public Verdict {
      frames = List.copyOf(frames);
    }
  }

  /** The frames cited by the verdict being written. */
  private final List<Long> cited = new ArrayList<>();

  private final List<Verdict> verdicts = new ArrayList<>();

  /** The report's claims checked against this run, in the order section 4 prints them. */
  public List<Verdict> verdictList() {
    verdicts.clear();
    cited.clear();
    if (run.captureIncomplete()) return List.of(); // nothing is judged on a capture with holes
    boolean tls13 = "TLSv1.3".equals(run.protocol());
    boolean rsaKeyTransport =
        run.connections().isEmpty()
            ? CipherSuite.forName(run.cipherSuite()).keyExchange() == CipherSuite.KeyExchange.RSA
            : run.connections().get(0).keyExchange() == KeyExchangeKind.RSA_TRANSPORT;
    String aes =
        run.cipherSuite().contains("AES")
            ? "AES encrypts the records, "
                + (run.cipherSuite().endsWith("SHA")
                    ? "HMAC-SHA1 protects them (the report's AES128-SHA)."
                    : "here AES-GCM, with SHA-2 in the key derivation.")
            : "not in this profile.";
    if (tls13) {
      wrong(
          "\"TLS 1.2 ... AES with SHA\": this session is TLS 1.3 ("
              + run.cipherSuite()
              + "): AES-GCM encrypts the records and SHA-2 drives HKDF (RFC 8446 §7.1);"
              + " TLS 1.3 suites name no key exchange and no HMAC.");
    } else if (run.cipherSuite().contains("AES")) {
      right("\"TLS 1.2 ... AES with SHA\": " + aes);
    } else {
      wrong("\"TLS 1.2 ... AES with SHA\": " + aes);
    }
    right(
        "Client Hello and Server Hello open the handshake: frames "
            + frame(m -> m.handshakeType() == HandshakeType.CLIENT_HELLO.code())
            + " and "
            + frame(m -> m.handshakeType() == HandshakeType.SERVER_HELLO.code())
            + ".");
    if (tls13) {
      wrong(
          "\"the client encrypted [the key] using the public key ... from the certificate\":"
              + " TLS 1.3 has no RSA key transport at all. Both hellos carry ECDHE key shares"
              + " (group "
              + field(MessageType.SERVER_HELLO, e -> e.fields().namedGroup())
              + "); the certificate key only signs (Certificate Verify).");
    } else if (rsaKeyTransport) {
      right(
          "\"the client encrypted [the pre-master secret] using the public key ... from the"
              + " certificate\": true for this suite only. There is no Server Key Exchange, and the"
              + " Client Key Exchange in frame "
              + frame(m -> m.handshakeType() == HandshakeType.CLIENT_KEY_EXCHANGE.code())
              + " carries the secret encrypted with the server's RSA key. So anyone who ever gets"
              + " server.key can decrypt this recording: no forward secrecy.");
    } else {
      wrong(
          "\"the client encrypted [the key] using the public key ... from the certificate\":"
              + " frame "
              + frame(m -> m.handshakeType() == HandshakeType.SERVER_KEY_EXCHANGE.code())
              + " carries a Server Key"
              + " Exchange, so this is ECDHE (group "
              + field(MessageType.SERVER_KEY_EXCHANGE, e -> e.fields().namedGroup())
              + "). Each side sends an ephemeral public key; the server only signs its own with the"
              + " certificate key. No secret is encrypted with it (RFC 5246 §7.4.3, RFC 8422).");
    }
    wrong(
        "\"the Server Hello packet sends back the public certificate\": the certificate is its"
            + " own message, Certificate"
            + (tls13
                ? " (encrypted in TLS 1.3)"
                : ", which Wireshark"
                    + " lists in frame "
                    + frame(m -> m.handshakeType() == HandshakeType.CERTIFICATE.code())
                    + " because it shares the"
                    + " TCP segment")
            + ".");
    wrong(
        "\"a random byte that generates the AES encryption key\": each hello carries 32 random"
            + (tls13
                ? " bytes; the keys come from the key exchange's secret and a hash of the whole"
                    + " handshake so far, which includes both randoms (RFC 8446 §7.1)."
                : " bytes; the keys come from the key exchange's secret mixed with both randoms"
                    + " (RFC 5246 §8.1, §6.3)."));
    wrong(
        "\"Encrypted Handshake Message ... the completion of hashing\": it is the Finished"
            + " message ("
            + (tls13
                ? "in TLS 1.3 hidden in \"Application Data\" until decrypted"
                : "frame " + frame(m -> m.type() == TlsMessage.Kind.ENCRYPTED_HANDSHAKE))
            + ", JSSE above), a MAC over the whole handshake keyed by the new secret: it proves both sides"
            + " saw the same handshake and hold the same keys.");
    wrong(
        "\"New Session Ticket ... multiple communication within one session\": it is the"
            + " session state, encrypted by the server, that lets the client resume later without a"
            + (tls13
                ? " new full handshake (RFC 8446 §4.6.1; lifetime here "
                : " new key exchange (RFC 5077; lifetime here ")
            + field(
                MessageType.NEW_SESSION_TICKET,
                e -> String.valueOf(e.fields().ticketLifetimeSeconds()))
            + " s)."
            + resumption());
    wrong(
        "the report's client never checks the server (PROTOCOL_TLSv1_2 defaults to"
            + " CERT_NONE): here alice and bob verified the certificate against the lab CA and the"
            + " name localhost, so an impostor would have been refused.");
    wrong(
        "pickle over the socket and a receive loop that overwrites its buffer: the lab sends"
            + " UTF-8 lines with a maximum length (docs/PROTOCOL.md), as the decrypted chat shows.");
    return List.copyOf(verdicts);
  }

  /** Bob's client shares alice's context, so it offers her ticket: a resumed handshake. */
  private String resumption() {
    if (run.connections().size() < 2) return "";
    ConnectionFacts bob = run.connections().get(1);
    if (!bob.mode().resumed()) return "";
    // Decrypted rows: in TLS 1.3 the server's flight is encrypted.
    for (Row r : run.decrypted().isEmpty() ? run.rows() : run.decrypted()) {
      if (r.tls && r.connection == bob.index() && r.carries(HandshakeType.SERVER_HELLO)) {
        cited.add(r.number);
        return " Bob's client offered alice's ticket and resumed: frame "
            + r.number
            + " is \""
            + r.info
            + "\", no Certificate, no key exchange ("
            + bob.mode().label()
            + ").";
      }
    }
    return "";
  }

  private void right(String text) {
    verdicts.add(new Verdict(true, text, cited));
    cited.clear();
  }

  private void wrong(String text) {
    verdicts.add(new Verdict(false, text, cited));
    cited.clear();
  }

  private void paragraph(String mark, String text) {
    StringBuilder line = new StringBuilder(mark);
    for (String word : text.split(" ")) {
      if (line.length() + word.length() + 1 > 78 && line.length() > 4) {
        out.println(line);
        line = new StringBuilder("    ");
      }
      line.append(line.length() > 4 ? " " : "").append(word);
    }
    out.println(line);
  }

  /** The first frame of alice's connection that carries a message matching {@code message}. */
  private String frame(Predicate<TlsMessage> message) {
    for (Row r : run.rows()) {
      if (r.tls && r.connection == 1) {
        for (TlsMessage m : r.messages()) {
          if (message.test(m)) {
            cited.add(r.number);
            return String.valueOf(r.number);
          }
        }
      }
    }
    return "?";
  }

  private String field(MessageType type, java.util.function.Function<TraceEvent, String> f) {
    return run.events().stream()
        .filter(e -> e.message() == type)
        .map(f)
        .filter(v -> v != null && !v.equals("null"))
        .findFirst()
        .orElse("?");
  }

  private static String clip(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }
}
