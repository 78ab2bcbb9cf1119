package tlslab.mitm;

import static org.assertj.core.api.Assertions.assertThat;
import static tlslab.mitm.MitmFixtures.awaitEntry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.net.ChatServer;
import tlslab.tls.HandshakeObserver;
import tlslab.tls.TlsProfile;

/**
 * {@code lab mitm --tap}: an eavesdropper who passes every byte unchanged sees records (type,
 * version, length) and the unencrypted part of the handshake, never the chat: the secret line is
 * nowhere in its log, while the verifying client chats with the real server as if nobody were
 * there.
 */
class TapTest {
  static final String SECRET = "the tap must not see this";
  @TempDir static Path dir;
  static MitmFixtures.Certs certs;

  @BeforeAll
  static void certificates() {
    certs = MitmFixtures.certs(dir);
  }

  @ParameterizedTest
  @EnumSource(TlsProfile.class)
  void theTapSeesRecordsOnly(TlsProfile profile) throws Exception {
    Path logFile = dir.resolve("tap-" + profile.label() + ".jsonl");
    MitmLog log = MitmLog.open(logFile, false, e -> {});
    try (ChatServer real = MitmFixtures.server(certs.real(), profile, HandshakeObserver.NONE);
        RecordRelay tap =
            new RecordRelay(
                    new RecordRelay.Options("127.0.0.1", 0, "localhost", real.port(), null), log)
                .start();
        MitmFixtures.Client bob = new MitmFixtures.Client();
        MitmFixtures.Client alice = new MitmFixtures.Client()) {
      Path ca = certs.real().resolve("ca.pem");
      bob.chat =
          MitmFixtures.clientBuilder(real.port(), ca, profile, bob, HandshakeObserver.NONE)
              .name("bob")
              .build()
              .connect();
      bob.await(l -> l.startsWith("* you are now bob"));
      // A verifying client: the tap does not terminate TLS, so the real server's certificate
      // arrives untouched and verifies.
      alice.chat =
          MitmFixtures.clientBuilder(tap.port(), ca, profile, alice, HandshakeObserver.NONE)
              .name("alice")
              .build()
              .connect();
      alice.await(l -> l.startsWith("* you are now alice"));
      alice.chat.send(SECRET);
      bob.await(l -> l.contains(SECRET));
      alice.chat.close();
      awaitEntry(log, e -> e.kind().equals("closed") && e.connection() == 1);
    }
    log.close();

    List<MitmLog.Entry> records =
        log.entries().stream().filter(e -> e.kind().equals("record")).toList();
    assertThat(records).isNotEmpty();
    assertThat(log.entries()).noneMatch(e -> e.kind().equals("line"));
    // Every record is described by its header; the Client Hello is readable, application data is
    // not.
    assertThat(records)
        .allMatch(e -> e.number("length") >= 0 && e.string("content_type").isPresent());
    assertThat(records)
        .anyMatch(e -> e.list("messages").contains("Client Hello") && !e.flag("encrypted"));
    List<MitmLog.Entry> appData =
        records.stream()
            .filter(e -> e.string("content_type").orElse("").equals("Application Data"))
            .toList();
    assertThat(appData)
        .isNotEmpty()
        .allMatch(e -> e.flag("encrypted") && e.list("messages").isEmpty());
    if (profile == TlsProfile.TLS13) {
      // RFC 8446 §2: after the Server Hello even the certificate is encrypted.
      assertThat(records).noneMatch(e -> e.list("messages").contains("Certificate"));
    } else {
      assertThat(records).anyMatch(e -> e.list("messages").contains("Certificate"));
    }
    // The secret reached bob through the tap, yet it is nowhere in what the attacker wrote.
    String text = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain(SECRET).doesNotContain("tap must");
    MitmLog.Entry closed = awaitEntry(log, e -> e.kind().equals("closed"));
    assertThat(closed.number("bytes_from_victim")).isPositive();
    assertThat(log.entries()).noneMatch(e -> e.kind().equals("edit"));
  }
}
