package tlslab.tls;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;

/**
 * Process-wide JSSE switches that must be set before the first JSSE class initialises: JSSE reads
 * them once, into static state, so setting them after an {@code SSLContext} exists has no effect
 * (measured on JDK 17 and 25, see FACTS.md). The CLI calls {@link #prepare} first thing.
 */
public final class JsseSetup {
  private static final String DISABLED = "jdk.tls.disabledAlgorithms";
  private static boolean reportSuiteEnabled;
  private static boolean debugHooks;

  private JsseSetup() {}

  /**
   * Prepares JSSE for this process.
   *
   * @param allowReportSuite re-enable {@code TLS_RSA_*} suites (JDK 25 disables them in {@code
   *     java.security}); only for the {@link TlsProfile#REPORT} profile, which then offers exactly
   *     {@link TlsProfile#REPORT_SUITE}. Other profiles list their suites explicitly, so they never
   *     offer a TLS_RSA suite even in a process where this was enabled.
   * @param debugHooks route JSSE's debug output through {@code System.Logger} (the empty-string
   *     form of {@code javax.net.debug}) so the trace module receives it in-process.
   */
  public static synchronized void prepare(boolean allowReportSuite, boolean debugHooks) {
    refuseClientRenegotiation();
    // RFC 5077 session tickets: JSSE sends them by default today, but the lab depends on the
    // New Session Ticket message being there, so say so explicitly.
    System.setProperty("jdk.tls.server.enableSessionTicketExtension", "true");
    System.setProperty("jdk.tls.client.enableSessionTicketExtension", "true");
    if (allowReportSuite && !reportSuiteEnabled) {
      Security.setProperty(DISABLED, withoutTlsRsa(Security.getProperty(DISABLED)));
      reportSuiteEnabled = true;
    }
    if (debugHooks && !JsseSetup.debugHooks) {
      System.setProperty("javax.net.debug", "");
      JsseSetup.debugHooks = true;
    }
  }

  /**
   * Servers refuse a Client Hello on an established TLS 1.2 connection (client-initiated
   * renegotiation, RFC 5746): each one costs the server a full handshake, a denial-of-service
   * lever, and the chat never needs it. JSSE answers with a fatal {@code handshake_failure}. JSSE
   * reads the switch once, when the first server handshake starts (a static of its server handshake
   * context), so {@link TlsContexts} also calls this before it builds any engine. The launcher
   * passes it on the command line as well.
   */
  public static void refuseClientRenegotiation() {
    System.setProperty(REJECT_RENEGOTIATION, "true");
  }

  /** The JSSE switch set by {@link #refuseClientRenegotiation()}. */
  public static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  /** Whether {@link #prepare} re-enabled the report's suite in this process. */
  public static synchronized boolean reportSuiteEnabled() {
    return reportSuiteEnabled;
  }

  /** Removes the {@code TLS_RSA_*} entry (and any single TLS_RSA suite) from a disabled list. */
  static String withoutTlsRsa(String disabled) {
    if (disabled == null) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String entry : disabled.split(",")) {
      String e = entry.trim();
      if (!e.isEmpty() && !e.startsWith("TLS_RSA_")) {
        kept.add(e);
      }
    }
    return String.join(", ", kept);
  }
}
