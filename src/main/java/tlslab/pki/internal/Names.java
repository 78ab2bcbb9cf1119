package tlslab.pki.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import tlslab.common.LabException;

/**
 * SubjectAltName entries and host-name matching (RFC 6125). A SAN that is an IP literal becomes an
 * iPAddress entry (RFC 5280 section 4.2.1.6), anything else a dNSName.
 */
public final class Names {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern DNS_LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  // Letters of any script (a class roster's "José"), in NFC; no separators, no leading dot.
  private static final Pattern FILE_SAFE =
      Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}._-]{0,63}");

  private Names() {}

  /** True for an IPv4 dotted quad or an IPv6 literal (contains a colon). */
  public static boolean isIpLiteral(String s) {
    return IPV4.matcher(s).matches() || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+"));
  }

  /** The address bytes of an IP literal; never does a DNS lookup. */
  public static byte[] ipBytes(String literal) {
    if (IPV4.matcher(literal).matches()) {
      // Parsed by hand: InetAddress.getByName("999.1.1.1") would fall back to a DNS lookup.
      String[] parts = literal.split("\\.");
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          throw LabException.badInput("not a valid IPv4 address: '" + literal + "'");
        }
        out[i] = (byte) v;
      }
      return out;
    }
    if (!isIpLiteral(literal)) {
      throw LabException.badInput("not an IP address: '" + literal + "'");
    }
    try {
      // A string with ':' is parsed as an IPv6 literal or rejected; the JDK does no lookup then.
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw LabException.badInput("not a valid IPv6 address: '" + literal + "'");
    }
  }

  /** Checks a SAN given on the command line; throws BAD_INPUT saying what is wrong. */
  public static void checkSan(String san) {
    if (san == null || san.isBlank()) {
      throw LabException.badInput("SAN: an empty name is not allowed");
    }
    if (isIpLiteral(san)) {
      ipBytes(san);
      return;
    }
    String name = san.startsWith("*.") ? san.substring(2) : san;
    for (String label : name.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) {
        throw LabException.badInput(
            "SAN: '" + san + "' is neither an IP address nor a valid DNS name");
      }
    }
  }

  /** The GeneralName for a SAN: iPAddress for IP literals, dNSName otherwise. */
  public static GeneralName generalName(String san) {
    checkSan(san);
    return isIpLiteral(san)
        ? new GeneralName(GeneralName.iPAddress, san)
        : new GeneralName(GeneralName.dNSName, san.toLowerCase(Locale.ROOT));
  }

  /**
   * Checks a name used in file names (client and student names): letters, digits, dot, dash,
   * underscore; no path separators, so a name can never escape its folder.
   */
  public static String checkFileSafe(String what, String name) {
    if (name == null
        || !name.equals(java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC))
        || !FILE_SAFE.matcher(name).matches()) {
      throw LabException.badInput(
          what
              + ": '"
              + name
              + "' must be 1-64 letters (accents welcome), digits, '.', '-' or '_'"
              + " (it becomes part of a file name)");
    }
    return name;
  }

  /**
   * Does a dNSName pattern from a certificate match a host name? Case-insensitive; a wildcard is
   * only allowed as the whole left-most label and matches exactly one label (RFC 6125 section
   * 6.4.3), so {@code *.example.com} matches {@code a.example.com} but neither {@code example.com}
   * nor {@code a.b.example.com}.
   */
  public static boolean dnsMatches(String pattern, String host) {
    String p = stripDot(pattern.toLowerCase(Locale.ROOT));
    String h = stripDot(host.toLowerCase(Locale.ROOT));
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
    }
    return p.equals(h);
  }

  private static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
