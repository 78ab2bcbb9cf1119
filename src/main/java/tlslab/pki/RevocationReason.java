package tlslab.pki;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import tlslab.common.LabException;

/**
 * Why a certificate was revoked: the CRLReason codes of RFC 5280 section 5.3.1, which both CRLs and
 * OCSP responses (RFC 6960 section 4.2.1) carry. An instructor revokes a student's certificate with
 * {@link #KEY_COMPROMISE} when the key leaked, {@link #AFFILIATION_CHANGED} when the student left
 * the class, {@link #SUPERSEDED} when a new certificate replaces it.
 *
 * <p>{@code certificateHold} (6) and {@code removeFromCRL} (8) are left out on purpose: the lab
 * never un-revokes, so a revocation is final.
 */
public enum RevocationReason {
  UNSPECIFIED(0, "unspecified"),
  KEY_COMPROMISE(1, "keyCompromise"),
  CA_COMPROMISE(2, "cACompromise"),
  AFFILIATION_CHANGED(3, "affiliationChanged"),
  SUPERSEDED(4, "superseded"),
  CESSATION_OF_OPERATION(5, "cessationOfOperation"),
  PRIVILEGE_WITHDRAWN(9, "privilegeWithdrawn");

  private final int code;
  private final String rfcName;

  RevocationReason(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  /** The CRLReason code on the wire (an ASN.1 ENUMERATED). */
  public int code() {
    return code;
  }

  /** The RFC 5280 name, e.g. {@code keyCompromise}; also what {@code --reason} accepts. */
  public String rfcName() {
    return rfcName;
  }

  /**
   * Parses a reason by its RFC name, case-insensitively ({@code keyCompromise}, {@code
   * key-compromise} and {@code KEY_COMPROMISE} all work).
   *
   * @throws LabException BAD_INPUT naming the valid reasons
   */
  public static RevocationReason parse(String text) {
    String wanted = text == null ? "" : text.replaceAll("[-_ ]", "").toLowerCase(Locale.ROOT);
    for (RevocationReason r : values()) {
      if (r.rfcName.toLowerCase(Locale.ROOT).equals(wanted)) {
        return r;
      }
    }
    throw LabException.badInput(
        "unknown revocation reason '" + text + "' (choose one of: " + labels() + ")");
  }

  /** The reason for a wire code, or {@link #UNSPECIFIED} when the code is not one of these. */
  public static RevocationReason ofCode(int code) {
    for (RevocationReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return UNSPECIFIED;
  }

  /** Every accepted name, comma-separated. */
  public static String labels() {
    return Arrays.stream(values()).map(RevocationReason::rfcName).collect(Collectors.joining(", "));
  }
}
