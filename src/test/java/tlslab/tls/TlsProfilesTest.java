package tlslab.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tlslab.common.LabException;
import tlslab.pki.InitOptions;
import tlslab.pki.LabCertificates;

/**
 * Profiles become engines with exactly their versions and suites, on JDK 17 and 25 (where the
 * report's TLS_RSA suite must first be re-enabled by {@link JsseSetup}).
 */
@Tag("jdk")
class TlsProfilesTest {
  @TempDir static Path certs;
  static SSLContext server;
  static SSLContext client;

  @BeforeAll
  static void init() {
    JsseSetup.prepare(true, false);
    LabCertificates.init(InitOptions.builder().dir(certs).build());
    server = TlsContexts.server(certs);
    client = TlsContexts.client(certs.resolve("ca.pem"), null, false);
  }

  @ParameterizedTest
  @EnumSource(TlsProfile.class)
  void enginesGetTheProfilesVersionsAndSuitesAndNeverTls10Or11(TlsProfile profile) {
    SSLEngine s = TlsContexts.serverEngine(server, profile, ClientAuth.NONE);
    SSLEngine c = TlsContexts.clientEngine(client, profile, "localhost", 8443, false);
    for (SSLEngine e : new SSLEngine[] {s, c}) {
      assertThat(e.getEnabledProtocols()).containsExactly(profile.protocols());
      assertThat(e.getEnabledProtocols()).doesNotContain("TLSv1", "TLSv1.1", "SSLv3");
      assertThat(Arrays.asList(profile.cipherSuites()))
          .containsAll(Arrays.asList(e.getEnabledCipherSuites()));
    }
    if (profile == TlsProfile.REPORT) {
      assertThat(s.getEnabledCipherSuites()).containsExactly("TLS_RSA_WITH_AES_128_CBC_SHA");
      assertThat(JsseSetup.reportSuiteEnabled()).isTrue();
    }
  }

  @Test
  void clientEnginesCheckTheHostUnlessInsecureAndSendSniOnlyForNames() {
    SSLEngine checked = TlsContexts.clientEngine(client, TlsProfile.MODERN, "localhost", 1, false);
    SSLEngine insecure = TlsContexts.clientEngine(client, TlsProfile.MODERN, "localhost", 1, true);
    assertThat(checked.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(insecure.getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
    assertThat(TlsContexts.isDnsName("localhost")).isTrue();
    assertThat(TlsContexts.isDnsName("127.0.0.1")).isFalse();
    assertThat(TlsContexts.isDnsName("::1")).isFalse();
  }

  @Test
  void disabledAlgorithmsLoseOnlyTheirTlsRsaEntries() {
    assertThat(
            JsseSetup.withoutTlsRsa("SSLv3, TLSv1, TLS_RSA_*, RC4, TLS_RSA_WITH_NULL_SHA256, DES"))
        .isEqualTo("SSLv3, TLSv1, RC4, DES");
    assertThat(JsseSetup.withoutTlsRsa(null)).isEmpty();
  }

  @Test
  void parsingNamesTheChoices() {
    assertThat(TlsProfile.parse("TLS13")).isEqualTo(TlsProfile.TLS13);
    assertThat(ClientAuth.parse("Need")).isEqualTo(ClientAuth.NEED);
    assertThatThrownBy(() -> TlsProfile.parse("ssl3"))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("modern, report, tls13");
    assertThatThrownBy(() -> TlsContexts.server(certs.resolve("missing")))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("lab certs init");
  }
}
