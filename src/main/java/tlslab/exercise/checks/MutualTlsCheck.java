package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.exercise.Checker;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.pki.CertificateVerifier;

/**
 * Exercise 9: mutual TLS. In the student's capture the server sends a Certificate Request (RFC 5246
 * §7.4.4), the client answers with a Certificate that is the student's own - with {@code --student
 * NAME}, the certificate of their class bundle, whose subject names them - and a Certificate Verify
 * (§7.4.8), its signature proving it holds that certificate's key; the server accepts it and the
 * chat goes on.
 */
public final class MutualTlsCheck implements Checker {
  static final String PCAP = "09.pcap";
  static final String KEYLOG = "09.keylog";

  /** A certificate the student may present, with the CA that issued it. */
  private record Own(Path file, X509Certificate cert, Path caFile) {}

  @Override
  public Report check(Workspace ws) {
    Report r = new Report();
    Identity id = Steps.identity(r, ws);
    if (id == null) {
      return r;
    }
    // In class the manifest says which certificate is the student's; no file they hand in does.
    List<Own> own = id.mode() == Identity.Mode.CLASS ? List.of() : ownCertificates(r, ws);
    if (own == null) {
      return r;
    }
    // The key log decrypts the chat (the challenge) and, for TLS 1.3, the certificates.
    KeyMaterial keys =
        Steps.keyLog(
            r,
            ws,
            KEYLOG,
            PCAP,
            "your key log " + KEYLOG + " is readable",
            "give lab client --keylog " + ws.capture(KEYLOG));
    if (keys == null) {
      return r;
    }
    String how =
        "lab capture --port 8443 --out "
            + ws.capture(PCAP)
            + " while lab client --cert YOUR.p12 runs /whoami against lab server --client-auth need";
    CaptureEvidence cap = Steps.capture(r, ws, PCAP, keys, how);
    if (cap == null) {
      return r;
    }
    Optional<ConnectionFacts> requested =
        cap.facts().stream().filter(ConnectionFacts::certificateRequest).findFirst();
    if (requested.isEmpty()) {
      boolean hidden = cap.facts().stream().anyMatch(c -> c.version() == 0x0304);
      return r.fail(
          "the server sends a Certificate Request",
          hidden
              ? "this TLS 1.3 capture hides its handshake: use the default profile, or hand in the"
                  + " client's key log as "
                  + ws.capture(KEYLOG)
              : "no Certificate Request in "
                  + cap.file()
                  + ": run the server with --client-auth"
                  + " need (or want)");
    }
    r.pass("the server sends a Certificate Request");
    Optional<ConnectionFacts> sent =
        cap.facts().stream()
            .filter(c -> c.certificateRequest() && !c.clientCertificates().isEmpty())
            .findFirst();
    if (sent.isEmpty()) {
      return r.fail(
          "the client answers with a certificate",
          "the client sent an empty Certificate: connect with lab client --cert YOUR.p12");
    }
    r.pass("the client answers with a certificate");
    ConnectionFacts c = sent.get();
    // Its Certificate Verify must verify with that certificate's key: a certificate pasted into
    // someone else's handshake, or one whose key the client did not hold, fails here.
    if (!Steps.genuine(r, cap, List.of(c), PCAP)) {
      return r;
    }
    X509Certificate presented = c.clientCertificates().get(0);
    if (id.mode() == Identity.Mode.CLASS) {
      classCertificate(r, ws, id, presented);
    } else {
      ownCertificate(r, ws, own, presented);
    }
    r.expect(
        c.clientCertificateVerify(),
        "a Certificate Verify proves the client holds the key",
        "the client sent no Certificate Verify: did the handshake fail? check the server's log");
    r.expect(
        c.clientApplicationData() > 0 && c.serverApplicationData() > 0,
        "the server accepted the certificate and the chat went on",
        "no application data after the handshake: run /whoami before you quit, with the capture"
            + " running");
    Steps.challengeSent(
        r,
        ws,
        id,
        cap,
        cap.facts().stream().filter(x -> !x.clientCertificates().isEmpty()).toList(),
        PCAP);
    return r;
  }

  /**
   * In class: the presented certificate is the one the manifest lists for this student (serial and
   * SHA-256 fingerprint) and chains to the instructor's class CA, never to a CA in the submission.
   */
  private static void classCertificate(
      Report r, Workspace ws, Identity id, X509Certificate presented) {
    String problem = Steps.classCertificateProblem(ws, id, presented);
    r.expect(
        problem == null,
        "the client certificate is the one the class CA issued to you",
        "the client presented " + CaptureEvidence.describe(presented) + ", " + problem);
  }

  private static void ownCertificate(
      Report r, Workspace ws, List<Own> own, X509Certificate presented) {
    Optional<Own> match =
        own.stream().filter(o -> CaptureEvidence.same(o.cert(), presented)).findFirst();
    String whose =
        ws.student().isPresent()
            ? "the client certificate is your bundle's certificate"
            : "the client certificate is one of yours";
    if (match.isEmpty()) {
      r.fail(
          whose,
          "the client presented "
              + CaptureEvidence.describe(presented)
              + ", not "
              + String.join(" or ", own.stream().map(o -> o.file().toString()).toList()));
    } else {
      X509Certificate ca =
          Steps.certificate(
              r,
              match.get().caFile(),
              "the CA beside your" + " certificate exists",
              "keep ca.pem beside it");
      CertificateVerifier.Result v =
          ca == null
              ? null
              : CertificateVerifier.verify(ca, List.of(presented), null, Instant.now());
      if (v != null) {
        r.expect(
            v.passed(), whose, v.firstFailure().map(CertificateVerifier.Check::line).orElse(""));
      }
    }
  }

  /**
   * The certificates the student may present: with {@code --student}, their bundle's (which must
   * name them); otherwise the client certificates they issued in {@code certs/} or a bundle.
   * Returns null (item failed) when there is none.
   */
  private static List<Own> ownCertificates(Report r, Workspace ws) {
    List<Own> bundle = certificatesIn(ws.bundle(), true);
    if (ws.student().isPresent()) {
      String name = ws.student().get();
      if (bundle.isEmpty()) {
        r.fail(
            "your bundle is in " + ws.bundle(),
            "copy the folder your instructor gave you"
                + " (from lab certs class) to "
                + ws.bundle());
        return null;
      }
      List<Own> named = bundle.stream().filter(o -> namesStudent(o.cert(), name)).toList();
      if (named.isEmpty()) {
        r.fail(
            "your bundle's certificate names you",
            bundle.get(0).file()
                + " is issued to "
                + bundle.get(0).cert().getSubjectX500Principal().getName(X500Principal.RFC2253)
                + ", not to '"
                + name
                + "': use your own bundle");
        return null;
      }
      r.pass("your bundle's certificate names you");
      return named;
    }
    List<Own> all = new ArrayList<>(certificatesIn(ws.certs(), false));
    all.addAll(bundle);
    if (all.isEmpty()) {
      r.fail(
          "you have a client certificate",
          "issue one: lab certs issue --client YOURNAME --dir "
              + ws.certs()
              + " (or copy your class bundle to "
              + ws.bundle()
              + ")");
      return null;
    }
    return all;
  }

  /**
   * Client certificates in {@code dir}: {@code client-*.pem} from {@code lab certs issue}, or in a
   * bundle any {@code .pem} but {@code ca.pem} and {@code *-combined.pem} (also one folder down,
   * for a bundle copied with its folder).
   */
  private static List<Own> certificatesIn(Path dir, boolean bundle) {
    List<Own> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir, bundle ? 2 : 1)) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString();
        boolean candidate =
            n.endsWith(".pem")
                && !n.equals("ca.pem")
                && !n.endsWith("-combined.pem")
                && (bundle || n.startsWith("client-"));
        if (candidate && Files.isRegularFile(f)) {
          X509Certificate cert = Steps.certificate(new Report(), f, "", "");
          if (cert != null) {
            out.add(new Own(f, cert, f.resolveSibling("ca.pem")));
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // An unreadable folder holds no certificates; the report then says none were found.
    }
    return out;
  }

  /** Whether the certificate's CN or UID is the student's name or ID (case and accents aside). */
  static boolean namesStudent(X509Certificate cert, String student) {
    String want = Steps.plain(student);
    for (String rdn :
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253).split("(?<!\\\\),")) {
      int eq = rdn.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String type = rdn.substring(0, eq).strip().toUpperCase(Locale.ROOT);
      String value = rdn.substring(eq + 1).replace("\\", "");
      if ((type.equals("CN") || type.equals("UID")) && Steps.plain(value).equals(want)) {
        return true;
      }
    }
    return false;
  }
}
