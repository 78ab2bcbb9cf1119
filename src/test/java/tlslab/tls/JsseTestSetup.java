package tlslab.tls;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs {@link JsseSetup#prepare} with the report suite allowed before any test class, whatever
 * order the classes run in: JSSE reads {@code jdk.tls.disabledAlgorithms} once, so on JDK 25 a test
 * that touched JSSE first would otherwise make every later report-profile test fail. Registered for
 * all tests through JUnit's extension auto-detection (see {@code junit-platform.properties}). It
 * does not touch {@code javax.net.debug}, so the trace tests can still switch JSSE's debug hooks
 * on.
 */
public final class JsseTestSetup implements BeforeAllCallback {
  static {
    JsseSetup.prepare(true, false);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    JsseSetup.prepare(true, false);
  }
}
