package tlslab.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tlslab.trace.RecordParser.Parsed;

/**
 * The parser over record texts as JSSE writes them (excerpts recorded on JDK 17.0.15 and Temurin
 * 25.0.3). The live records are checked by the JDK-tagged tests; these pin the edge cases.
 */
class RecordParserTest {
  private static final String CLIENT_HELLO_17 =
      "\"ClientHello\": {\n"
          + "  \"client version\"      : \"TLSv1.2\",\n"
          + "  \"random\"              : \"A0A949EC4C79CFE1DBF7054A49CFB25AE6B1EFB1A49310DE5FFEF39968A37138\",\n"
          + "  \"session id\"          : \"\",\n"
          + "  \"cipher suites\"       : \"[TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384(0xC030), TLS_RSA_WITH_AES_128_CBC_SHA(0x002F)]\",\n"
          + "  \"compression methods\" : \"00\",\n"
          + "  \"extensions\"          : [\n"
          + "    \"server_name (0)\": {\n"
          + "      type=host_name (0), value=localhost\n"
          + "    },\n"
          + "    \"supported_groups (10)\": {\n"
          + "      \"versions\": [x25519, secp256r1]\n"
          + "    },\n"
          + "    \"supported_versions (43)\": {\n"
          + "      \"versions\": [TLSv1.3, TLSv1.2]\n"
          + "    },\n"
          + "    \"key_share (51)\": {\n"
          + "      \"client_shares\": [  \n"
          + "        {\n"
          + "          \"named group\": x25519\n"
          + "        },\n"
          + "      ]\n"
          + "    }\n"
          + "  ]\n"
          + "}";

  @Test
  void clientHelloFieldsAndOfferedVersionsFromSupportedVersions() {
    Parsed p = RecordParser.parse("Produced ClientHello handshake message", CLIENT_HELLO_17);

    assertThat(p.direction()).isEqualTo(Direction.PRODUCED);
    assertThat(p.type()).isEqualTo(MessageType.CLIENT_HELLO);
    assertThat(p.variant()).isNull();
    HandshakeFields f = p.fields();
    // supported_versions (RFC 8446 §4.2.1) wins over the legacy client_version.
    assertThat(f.versions()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(f.random()).startsWith("A0A949EC").hasSize(64);
    assertThat(f.sessionId()).isEmpty();
    assertThat(f.cipherSuites())
        .containsExactly("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA");
    assertThat(f.extensions())
        .containsExactly("server_name", "supported_groups", "supported_versions", "key_share");
    assertThat(f.serverName()).isEqualTo("localhost");
    assertThat(f.namedGroup()).as("a Client Hello offers groups, it does not choose").isNull();
  }

  @Test
  void serverHelloOfTls13ChoosesVersionSuiteAndGroup() {
    String text =
        "\"ServerHello\": {\n"
            + "  \"server version\"      : \"TLSv1.2\",\n"
            + "  \"random\"              : \"F1DA2A278497512435919EF1B3D22B5B28628560E020F5BAE6FD2A3A577C65B1\",\n"
            + "  \"session id\"          : \"355A5F8D\",\n"
            + "  \"cipher suite\"        : \"TLS_AES_256_GCM_SHA384(0x1302)\",\n"
            + "  \"extensions\"          : [\n"
            + "    \"supported_versions (43)\": {\n"
            + "      \"selected version\": [TLSv1.3]\n"
            + "    },\n"
            + "    \"key_share (51)\": {\n"
            + "      \"server_share\": {\n"
            + "        \"named group\": x25519\n"
            + "      },\n"
            + "    }\n"
            + "  ]\n"
            + "}";
    HandshakeFields f =
        RecordParser.parse("Consuming ServerHello handshake message", text).fields();

    assertThat(f.versions()).containsExactly("TLSv1.3");
    assertThat(f.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
    assertThat(f.namedGroup()).isEqualTo("x25519");
    assertThat(f.sessionId()).isEqualTo("355A5F8D");
  }

  @Test
  void qualifiersBecomeTheVariant() {
    assertThat(RecordParser.parse("Produced ECDHE ClientKeyExchange handshake message", "{}"))
        .extracting(Parsed::type, Parsed::variant)
        .containsExactly(MessageType.CLIENT_KEY_EXCHANGE, "ECDHE");
    assertThat(RecordParser.parse("Produced server Certificate message", "{}"))
        .extracting(Parsed::type, Parsed::variant)
        .containsExactly(MessageType.CERTIFICATE, "server");
    assertThat(
            RecordParser.parse("Produced NewSessionTicket stateless post-handshake message", "{}"))
        .extracting(Parsed::type, Parsed::variant)
        .containsExactly(MessageType.NEW_SESSION_TICKET, "stateless post-handshake");
    assertThat(RecordParser.parse("Consuming ChangeCipherSpec message", null))
        .extracting(Parsed::direction, Parsed::type)
        .containsExactly(Direction.CONSUMED, MessageType.CHANGE_CIPHER_SPEC);
  }

  @Test
  void tls12ClientTicketCarriesItsTextInTheMessageAndLocaleGroupedLifetime() {
    Parsed p =
        RecordParser.parse(
            "Consuming NewSessionTicket\n\"NewSessionTicket\": {\n"
                + "  \"ticket_lifetime\"      : \"86.400\",\n  \"ticket\" : {\n  }\n}",
            null);

    assertThat(p.type()).isEqualTo(MessageType.NEW_SESSION_TICKET);
    assertThat(p.fields().ticketLifetimeSeconds()).isEqualTo(86_400L);
  }

  @Test
  void certificateSubjectsAndSignatureSchemes() {
    String certs =
        "\"Certificates\": [\n  \"certificate\" : {\n    \"signature algorithm\": \"SHA256withRSA\",\n"
            + "    \"issuer\"             : \"CN=Lab CA\",\n"
            + "    \"subject\"            : \"CN=localhost, O=TLS Lab\",\n  }\n"
            + "  \"certificate\" : {\n    \"subject\"            : \"CN=Lab CA\",\n  }\n]";
    assertThat(
            RecordParser.parse("Consuming server Certificate handshake message", certs)
                .fields()
                .certificateSubjects())
        .containsExactly("CN=localhost, O=TLS Lab", "CN=Lab CA");
    String ske =
        "\"ECDH ServerKeyExchange\": {\n  \"parameters\": {\n    \"named group\": \"x25519\"\n"
            + "  },\n  \"digital signature\":  {\n"
            + "    \"signature algorithm\": \"rsa_pss_rsae_sha256\"\n  }\n}";
    HandshakeFields f =
        RecordParser.parse("Produced ECDH ServerKeyExchange handshake message", ske).fields();
    assertThat(f.namedGroup()).isEqualTo("x25519");
    assertThat(f.signatureScheme()).isEqualTo("rsa_pss_rsae_sha256");
  }

  @Test
  void alertsSentAndReceived() {
    assertThat(RecordParser.parse("WRITE: TLSv1.2 alert(close_notify), length = 10", null))
        .extracting(Parsed::direction, Parsed::type, p -> p.fields().alert())
        .containsExactly(Direction.PRODUCED, MessageType.ALERT, "close_notify");
    assertThat(
            RecordParser.parse(
                "Received alert message",
                "\"Alert\": {\n  \"level\"      : \"fatal\",\n  \"description\": \"bad_certificate\"\n}"))
        .extracting(Parsed::direction, p -> p.fields().alert())
        .containsExactly(Direction.CONSUMED, "bad_certificate");
  }

  @Test
  void fatalAlertsAboutToBeSentButNotTheOnesReceived() {
    assertThat(RecordParser.parse("Fatal (CERTIFICATE_UNKNOWN): PKIX path building failed", null))
        .extracting(Parsed::direction, Parsed::type, Parsed::variant, p -> p.fields().alert())
        .containsExactly(Direction.PRODUCED, MessageType.ALERT, "fatal", "certificate_unknown");
    assertThat(
            RecordParser.parse(
                "Fatal (CERTIFICATE_UNKNOWN): Received fatal alert: certificate_unknown", null))
        .isNull();
  }

  @Test
  void dumpsAndNotesAreNoMessages() {
    assertThat(RecordParser.parse("Raw write", "  0000: 16 03 03 00 7A")).isNull();
    assertThat(RecordParser.parse("Plaintext before ENCRYPTION", "  0000: 68 65")).isNull();
    assertThat(RecordParser.parse("WRITE: TLSv1.2 handshake, length = 24", null)).isNull();
    assertThat(RecordParser.parse("Consumed extension: supported_versions", null)).isNull();
    assertThat(RecordParser.parse("Produced something unheard of", null)).isNull();
    assertThat(RecordParser.parse(null, null)).isNull();
  }

  /**
   * An engine's sent alert is named from its cipher's dump, as JDK 17 and 25 format it (hex dump,
   * indented): the first bytes for AES-GCM, after the 16-byte explicit IV for CBC, after the 5-byte
   * header for a record still in the clear. An encrypted record's dump never names one.
   */
  @Test
  void sentAlertNamedFromTheCipherDumpOnly() {
    String gcm = "\n  0000: 01 00                                        ..\n";
    assertThat(RecordParser.alertFromPlaintext("Plaintext before ENCRYPTION", gcm).fields().alert())
        .isEqualTo("close_notify");
    String cbc =
        "\n  0000: 02 28 9A 11 0C 7E 44 01   00 5B 33 21 07 0A 6F 19  .(....D..[3!..o.\n"
            + "  0010: 01 00 3D 4C 91 55 0E 2A   17 60 C2 8D 7B 04 3E A0  ..=L.U.*.`..{.>.\n";
    assertThat(
            RecordParser.alertFromPlaintext("Padded plaintext before ENCRYPTION", cbc)
                .fields()
                .alert())
        .as("the IV's first bytes (02 28, handshake_failure) are not the alert")
        .isEqualTo("close_notify");
    String clear = "\n  0000: 15 03 03 00 02 02 2E                              .......\n";
    assertThat(RecordParser.alertFromPlaintext("Raw write", clear).fields().alert())
        .isEqualTo("certificate_unknown");
    String encrypted =
        "\n  0000: 15 03 03 00 1A 00 00 00   00 00 00 00 01 02 28 5F  ..............(_\n";
    assertThat(RecordParser.alertFromPlaintext("Raw write", encrypted)).isNull();
    assertThat(RecordParser.alertFromPlaintext("Raw read", clear)).isNull();
    assertThat(RecordParser.alertFromPlaintext("Plaintext before ENCRYPTION", null)).isNull();
  }
}
