package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tlslab.cli.Main;

/** {@code lab trace} as a command: what it prints, and its errors and exit codes. */
@Tag("jdk")
class TraceCommandTest {
  private static final Pattern HEX_DUMP =
      Pattern.compile("(?m)^\\s*[0-9A-Fa-f]{4}: [0-9A-Fa-f]{2} ");
  private static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TraceFixtures.certs();
  }

  private record Run(int exit, String out, String err) {}

  private static Run lab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void printsBothSidesInterleavedIn80ColumnsWithoutDumps(@TempDir Path tmp) throws Exception {
    Path json = tmp.resolve("work/traces/t.jsonl"); // folders are created, as the exercises need
    Run r = lab("trace", "--certs", certs.toString(), "--trace-json", json.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("client → Client Hello         TLS 1.2, 4 suites, SNI localhost")
        .contains("server ← Client Hello")
        .contains("server → New Session Ticket   lifetime 86400 s")
        .contains("client → Finished", "server → Finished")
        .contains("connection 1: TLSv1.2 TLS_ECDHE_");
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);
    assertThat(HEX_DUMP.matcher(r.out()).find()).isFalse();
    // Consumed lines repeat no details: the producer's line has them.
    assertThat(r.out().lines().filter(l -> l.contains(" ← Client Hello")))
        .allMatch(l -> l.endsWith("← Client Hello"));
    assertThat(Files.readAllLines(json)).hasSizeGreaterThanOrEqualTo(22);
  }

  /**
   * The timeline's lines joined with their continuation lines (details wrapped under column 38,
   * summaries under two spaces), so that a message's details read as one string.
   */
  private static List<String> logicalLines(String out) {
    List<String> lines = new ArrayList<>();
    for (String l : out.lines().toList()) {
      if (!lines.isEmpty() && l.startsWith("  ") && !TIMED.matcher(l).find()) {
        lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + l.strip());
      } else {
        lines.add(l);
      }
    }
    return lines;
  }

  private static final Pattern TIMED = Pattern.compile("^\\s*([0-9]+\\.[0-9]) (client|server) ");

  /**
   * Every connection's lines in time order. The client's ← Certificate event waits for the chain's
   * fingerprints (HandshakeInspector), so printed as events came it stood below the server's later
   * Server Key Exchange and Server Hello Done, under an earlier time.
   */
  private static void assertTimeOrder(String out) {
    double last = -1;
    for (String l : out.lines().toList()) {
      if (l.startsWith("── connection ")) {
        last = -1;
      }
      Matcher m = TIMED.matcher(l);
      if (m.find()) {
        double t = Double.parseDouble(m.group(1));
        assertThat(t).as("line %s after %.1f ms in%n%s", l, last, out).isGreaterThanOrEqualTo(last);
        last = t;
      }
    }
  }

  /**
   * TLS 1.2 resumption on JSSE goes by session ticket (RFC 5077): the second Client Hello carries
   * the ticket (and, RFC 5077 §3.4, the old session id). The trace said "session id offered" and
   * "resumed (abbreviated handshake)"; it says which the client offered and how the session was
   * resumed.
   */
  @Test
  void tls12ResumptionSaysTheTicketWasOfferedAndPrintsInTimeOrder() {
    Run r = lab("trace", "--certs", certs.toString(), "--resume");

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = logicalLines(r.out());
    assertThat(lines.stream().filter(l -> l.contains("client → Client Hello")))
        .hasSize(2)
        .last(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .endsWith("SNI localhost, session ticket offered");
    assertThat(r.out())
        .doesNotContain("session id offered")
        .doesNotContain("abbreviated handshake)");
    assertThat(lines)
        .contains(
            "connection 1: TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, full handshake,"
                + " x25519 key exchange",
            "connection 2: TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, resumed (RFC 5246"
                + " §7.3): abbreviated handshake, no Certificate, no key exchange; the client"
                + " offered a session ticket (RFC 5077 §3.1), but the trace does not show the"
                + " server taking it: a session found by id in the server's cache resumes the"
                + " same way (RFC 5077 §3.4)");
    assertThat(r.out()).doesNotContain("resumed from the session ticket");
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);
    assertTimeOrder(r.out());
  }

  /**
   * JSSE's TLS 1.3 client closes with user_canceled, then close_notify, after the handshake is
   * complete (RFC 8446 §6.1: user_canceled cancels a handshake, should be followed by close_notify,
   * and after the handshake close_notify alone is preferred). The timeline printed "user_canceled"
   * with no word of it; the JSON trace lacked the "session ticket offered" fact the text shows.
   */
  @Test
  void userCanceledIsExplainedAndTheJsonCarriesTheTicketOffer(@TempDir Path tmp) throws Exception {
    Run r = lab("trace", "--certs", certs.toString(), "--profile", "tls13");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = logicalLines(r.out());
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("client → Alert")
                    .endsWith(
                        "user_canceled, sent after the handshake was complete, so it cancels"
                            + " nothing (RFC 8446 §6.1), close_notify alone is preferred then, a"
                            + " close_notify should follow"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("client → Alert")
                    .endsWith("close_notify, after its user_canceled, as RFC 8446 §6.1 asks"))
        .anySatisfy(l -> assertThat(l).contains("server → Alert").endsWith("close_notify"));
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);

    Path json = tmp.resolve("t.jsonl");
    Run resumed =
        lab("trace", "--certs", certs.toString(), "--resume", "--trace-json", json.toString());
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    long shown =
        logicalLines(resumed.out()).stream()
            .filter(
                l -> l.contains("client → Client Hello") && l.endsWith("session ticket offered"))
            .count();
    List<String> hellos =
        Files.readAllLines(json).stream()
            .filter(
                l -> l.contains("\"side\":\"client\"") && l.contains("\"direction\":\"produced\""))
            .filter(l -> l.contains("\"message\":\"Client Hello\""))
            .toList();
    assertThat(hellos).hasSize(2);
    assertThat(shown).isEqualTo(1);
    assertThat(hellos.get(0)).doesNotContain("session_ticket_offered");
    assertThat(hellos.get(1)).contains("\"session_ticket_offered\":true");
  }

  /**
   * TLS 1.3 resumption is no "abbreviated handshake" (a TLS 1.2 term): the server accepts a PSK
   * and, with psk_dhe_ke, still makes a new (EC)DHE key exchange, whose group the Server Hello
   * names.
   */
  @Test
  void tls13ResumptionSaysPskAndTheNewKeyExchange() {
    Run r = lab("trace", "--certs", certs.toString(), "--profile", "tls13", "--resume");

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = logicalLines(r.out());
    String serverHello2 =
        lines.stream()
            .filter(l -> l.contains("server → Server Hello") && l.endsWith("PSK accepted"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no PSK accepted in\n" + r.out()));
    Matcher group =
        Pattern.compile("TLS_AES_128_GCM_SHA256, ([a-z0-9]+), PSK").matcher(serverHello2);
    assertThat(group.find()).as(serverHello2).isTrue();
    assertThat(lines)
        .contains(
            "connection 2: TLSv1.3 TLS_AES_128_GCM_SHA256, resumed with a pre-shared key from"
                + " the server's ticket (RFC 8446 §2.2): no Certificate, a new "
                + group.group(1)
                + " key exchange (psk_dhe_ke)");
    assertThat(r.out()).doesNotContain("abbreviated");
    assertTimeOrder(r.out());
  }

  /**
   * {@code --hello-retry}: a real JSSE server that accepts none of the client's key shares. The
   * client logs the Hello Retry Request it receives as "Consuming ServerHello" and its second
   * Client Hello as "ClientHello(HRR)": the trace showed "client ← Server Hello" and left the
   * second Client Hello out.
   */
  @Test
  void aForcedHelloRetryRequestIsShownAsSentAndReceived() {
    Run r =
        lab(
            "trace",
            "--certs",
            certs.toString(),
            "--profile",
            "tls13",
            "--hello-retry",
            "--resume");

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = logicalLines(r.out());
    for (int connection = 1; connection <= 2; connection++) {
      List<String> block = block(lines, connection);
      assertThat(block.stream().map(l -> l.replaceFirst("^\\s*[0-9.]+ ", "")))
          .as("connection %d", connection)
          .startsWith(
              "client → Client Hello         TLS 1.3, 3 suites, SNI localhost"
                  + (connection == 2 ? ", PSK offered" : ""),
              "server ← Client Hello",
              "server → Hello Retry Request  TLS 1.3, TLS_AES_128_GCM_SHA256, asks for a"
                  + " secp384r1 key share",
              "client ← Hello Retry Request",
              "client → Client Hello         TLS 1.3, 3 suites, SNI localhost, again, after the"
                  + " Hello Retry Request"
                  + (connection == 2 ? ", PSK offered" : ""));
    }
    assertThat(r.out()).doesNotContain("client ← Server Hello\n    ");
    assertThat(lines)
        .contains(
            "connection 1: TLSv1.3 TLS_AES_128_GCM_SHA256, full handshake, secp384r1 key"
                + " exchange; after a Hello Retry Request for secp384r1 (RFC 8446 §4.1.4)");
    assertThat(lines.stream().filter(l -> l.startsWith("connection 2: ")))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .endsWith("; after a Hello Retry Request for secp384r1 (RFC 8446 §4.1.4)");
    assertThat(r.out().lines()).allMatch(l -> l.length() <= 80);
  }

  /**
   * EC certificates: refusing secp256r1 as a group by algorithm constraints (all JDK 17 has) also
   * takes ecdsa_secp256r1_sha256 from the server, which then signed its TLS 1.3 Certificate Verify
   * with ecdsa_sha1 (measured; RFC 8446 §4.4.3 forbids it). JDK 17 refuses the combination in one
   * line; JDK 20 and later restrict the server's groups alone and sign as usual.
   */
  @Test
  void helloRetryWithEcCertificatesSignsWithTheCertificatesCurveOrIsRefused(@TempDir Path tmp)
      throws Exception {
    Path ec = tmp.resolve("ec");
    tlslab.pki.LabCertificates.init(
        tlslab.pki.InitOptions.builder().dir(ec).keyType(tlslab.pki.KeyType.EC_P256).build());
    Run r =
        lab(
            "trace",
            "--certs",
            ec.toString(),
            "--profile",
            "tls13",
            "--hello-retry",
            "--client-auth",
            "need");

    if (Runtime.version().feature() < 20) {
      assertThat(r.exit()).isEqualTo(3);
      assertThat(r.err().strip())
          .isEqualTo(
              "lab trace: --hello-retry on JDK "
                  + Runtime.version().feature()
                  + " needs RSA certificates (JDK 20 and later take any): "
                  + ec
                  + " has an EC key; use the default certificates or lab certs init --key"
                  + " rsa-2048");
      assertThat(r.out()).doesNotContain("Client Hello");
    } else {
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out())
          .contains("server → Hello Retry Request")
          .contains("server → Certificate Verify   ecdsa_secp256r1_sha256")
          .contains("client → Certificate Verify   ecdsa_secp256r1_sha256")
          .doesNotContain("sha1");
    }
  }

  /** The report's suite needs an RSA server key: said in one line, not "handshake_failure". */
  @Test
  void theReportProfileWithAnEcServerKeyIsOneLine(@TempDir Path tmp) throws Exception {
    Path ec = tmp.resolve("ec");
    tlslab.pki.LabCertificates.init(
        tlslab.pki.InitOptions.builder().dir(ec).keyType(tlslab.pki.KeyType.EC_P256).build());
    Run r = lab("trace", "--certs", ec.toString(), "--profile", "report");

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err().strip().lines().toList())
        .last()
        .isEqualTo(
            "lab trace: --profile report (TLS_RSA key transport) needs an RSA server key: "
                + ec.resolve("server.pem")
                + " has an EC key (lab certs init --key rsa-2048)");
    assertThat(r.err()).doesNotContain("handshake_failure");
  }

  private static List<String> block(List<String> lines, int connection) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String l : lines) {
      if (l.startsWith("── connection ") || l.startsWith("───")) {
        in = l.startsWith("── connection " + connection + " ");
      } else if (in) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void helloRetryWithoutTls13AndAnUnknownClientAuthAreUsageErrors() {
    Run retry = lab("trace", "--certs", certs.toString(), "--hello-retry");
    Run auth = lab("trace", "--certs", certs.toString(), "--client-auth", "maybe");

    assertThat(retry.exit()).isEqualTo(2);
    assertThat(retry.err())
        .contains("--hello-retry needs --profile tls13")
        .doesNotContain("Exception");
    assertThat(retry.out()).isEmpty();
    assertThat(auth.exit()).isEqualTo(2);
    assertThat(auth.err())
        .contains("unknown client-auth mode 'maybe' (choose one of: none, want, need)")
        .doesNotContain("Exception");
  }

  /**
   * An existing key log is appended to (the format's convention) and made owner-only: it was left
   * as it was, so secrets went into a file anyone could read when it had been made 0644.
   */
  @Test
  void anExistingKeyLogIsAppendedToAndMadeOwnerOnly(@TempDir Path tmp) throws Exception {
    Path keys = Files.writeString(tmp.resolve("keys.log"), "# mine\n");
    Files.setPosixFilePermissions(
        keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Run r = lab("trace", "--certs", certs.toString(), "--keylog", keys.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readAllLines(keys)).first().isEqualTo("# mine");
    assertThat(Files.readAllLines(keys)).hasSize(2).last().asString().startsWith("CLIENT_RANDOM ");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-------");
    assertThat(r.out()).contains("key log: 1 line(s) appended to " + keys);
  }

  @Test
  void refusesToOverwriteTheJsonTrace(@TempDir Path tmp) throws Exception {
    Path json = Files.writeString(tmp.resolve("t.jsonl"), "keep me\n");
    Run r = lab("trace", "--certs", certs.toString(), "--trace-json", json.toString());

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err().strip()).startsWith("lab trace: ").contains("exists").doesNotContain("\n");
    assertThat(Files.readString(json)).isEqualTo("keep me\n");
  }

  /** {@code --port P}: the server listens there (a capture can take that port alone). */
  @Test
  void listensOnTheGivenPortAndSaysWhere() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run r = lab("trace", "--certs", certs.toString(), "--port", String.valueOf(port));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("server listening on 127.0.0.1:" + port + "\n");
  }

  /** A port another program holds: one line saying so and what to do, exit 5 (network). */
  @Test
  void aPortInUseIsOneLineAndExit5() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Run r =
          lab("trace", "--certs", certs.toString(), "--port", String.valueOf(taken.getLocalPort()));

      assertThat(r.exit()).isEqualTo(5);
      assertThat(r.err().strip())
          .startsWith("lab trace: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("choose another --port")
          .doesNotContain("\n")
          .doesNotContain("Exception");
    }
  }

  /** An invalid value on the command line: a usage error (exit 2), before anything is printed. */
  @Test
  void aPortOutOfRangeIsAUsageError() {
    Run r = lab("trace", "--certs", certs.toString(), "--port", "70000");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().findFirst())
        .hasValue("lab trace: Invalid value for option '--port': a port is 0..65535, got 70000");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void unknownProfileIsAUsageError() {
    Run r = lab("trace", "--profile", "ssl3");

    // Converted while the command line is parsed (ProfileMixin): a usage error, exit 2.
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown profile 'ssl3'").doesNotContain("Exception");
  }

  /**
   * A JVM without {@code --add-opens java.base/sun.security.ssl}: the key logger cannot reach
   * JSSE's secrets, says so in one line, exits 4 and writes no file.
   */
  @Test
  void keyLogThatCannotWorkIsRefusedBeforeAFileIsWritten(@TempDir Path tmp) throws Exception {
    Path keys = tmp.resolve("keys.log");
    TraceFixtures.Cli r =
        TraceFixtures.lab(false, "trace", "--certs", certs.toString(), "--keylog", keys.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
    assertThat(r.err().strip())
        .startsWith("lab trace: key log: ")
        .contains("--add-opens java.base/sun.security.ssl=ALL-UNNAMED")
        .doesNotContain("\n")
        .doesNotContain("Exception:");
    assertThat(keys).doesNotExist();
  }

  @Test
  void benchTracePrintsBothRatesFromOneRun() {
    Run r = lab("bench", "trace", "--count", "16");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("tracing off: +[0-9.]+ handshakes/s")
        .containsPattern("tracing on: +[0-9.]+ handshakes/s +\\(.*22 events per handshake\\)")
        .containsPattern("cost of tracing: [+-][0-9.]+ ms per handshake");
  }
}
