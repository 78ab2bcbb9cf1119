package tlslab.annotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tlslab.pki.InitOptions;
import tlslab.pki.KeyType;
import tlslab.pki.LabCertificates;
import tlslab.tls.ClientAuth;
import tlslab.tls.JsseSetup;
import tlslab.tls.TlsProfile;
import tlslab.trace.TraceRun;

/**
 * The closure alerts of a real JSSE pair: {@code lab trace --profile tls13} (TraceRun: a JSSE
 * client and server in one process) on a loopback port, captured by tcpdump with the run's key log.
 * JSSE's client closes a TLS 1.3 connection with user_canceled, then close_notify, after the
 * handshake is complete (tshark with the key log shows both). user_canceled was said under RFC 8446
 * 6.2 (it is a closure alert of 6.1) as "the handshake was cancelled by the user", here where no
 * handshake was left to cancel, and the close_notify after it said nothing of it.
 */
@Tag("slow")
class TruthOnClosureAlertsTest {

  static LoopbackCaptures.Capture jsseTls13() throws Exception {
    return LoopbackCaptures.around(
        "jsse-trace-tls13",
        port -> {
          JsseSetup.prepare(false, true);
          Path d = LoopbackCaptures.dir().resolve("jsse-trace");
          Path certs = d.resolve("certs");
          if (!Files.exists(certs.resolve("server.p12")))
            LabCertificates.init(
                InitOptions.builder().dir(certs).keyType(KeyType.RSA_2048).build());
          Path keylog = d.resolve("trace.keylog");
          TraceRun.run(
              new TraceRun.Options(
                  TlsProfile.TLS13,
                  ClientAuth.NONE,
                  false,
                  certs,
                  keylog,
                  "hello from the trace",
                  null,
                  port,
                  false),
              null);
          return keylog;
        });
  }

  @Test
  void userCanceledAfterTheHandshakeIsSaidUnder61AndTheCloseNotifyFollowsIt() throws Exception {
    LoopbackCaptures.Capture c = jsseTls13();
    String keys = "tls.keylog_file:" + c.keylog();
    List<String> canceled =
        TruthOnResumptionTest.fields(
            c,
            "tls.alert_message.desc == 90 && tcp.dstport == " + c.port(),
            "frame.number",
            "-o",
            keys);
    List<String> closeNotify =
        TruthOnResumptionTest.fields(
            c,
            "tls.alert_message.desc == 0 && tcp.dstport == " + c.port(),
            "frame.number",
            "-o",
            keys);
    List<String> finished =
        TruthOnResumptionTest.fields(
            c,
            "tls.handshake.type == 20 && tcp.dstport == " + c.port(),
            "frame.number",
            "-o",
            keys);
    assertThat(canceled).as("tshark: the client's user_canceled").hasSize(1);
    assertThat(closeNotify).as("tshark: the client's close_notify").hasSize(1);
    assertThat(finished).as("tshark: the client's Finished").hasSize(1);
    assertThat(Long.parseLong(finished.get(0))).isLessThan(Long.parseLong(canceled.get(0)));
    assertThat(Long.parseLong(canceled.get(0))).isLessThan(Long.parseLong(closeNotify.get(0)));
    TruthOnRealPeersTest.sameLabelsAsTsharkWithKeys(c);

    ExplanationMatrixTest.Annotated a =
        TruthOnRealPeersTest.annotate(c, KeyMaterial.none().withKeyLog(c.keylog()));
    List<String> alerts = a.notes(1, Sender.CLIENT, m -> m.type() == TlsMessage.Kind.ALERT);
    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(0))
        .startsWith("Alert (Level: Warning, Description: User Canceled) (RFC 8446 6.1): ")
        .contains("a close_notify should follow it")
        .contains("Here the handshake is already complete, so there is nothing left to cancel")
        .doesNotContain("6.2")
        .doesNotContain("cancelled by the user");
    assertThat(alerts.get(1))
        .startsWith("Alert (Level: Warning, Description: Close Notify) (RFC 8446 6.1)")
        .endsWith(
            " It follows the client's user_canceled (frame "
                + canceled.get(0)
                + "), as RFC 8446"
                + " 6.1 asks.");
    // The server's own close_notify follows no user_canceled of its own.
    assertThat(a.notes(1, Sender.SERVER, m -> m.type() == TlsMessage.Kind.ALERT))
        .isNotEmpty()
        .noneSatisfy(n -> assertThat(n).contains("user_canceled"));
  }
}
