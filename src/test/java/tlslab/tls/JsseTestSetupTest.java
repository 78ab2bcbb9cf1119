package tlslab.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The auto-detected {@link JsseTestSetup} ran before this class, which calls nothing itself. */
class JsseTestSetupTest {
  @Test
  void reportSuiteWasAllowedBeforeAnyTest() {
    assertThat(JsseSetup.reportSuiteEnabled()).isTrue();
    assertThat(java.security.Security.getProperty("jdk.tls.disabledAlgorithms"))
        .doesNotContain("TLS_RSA_");
  }
}
