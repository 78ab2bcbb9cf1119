package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.common.LabException;
import tlslab.pki.CertificateSummary;

/**
 * What in a submission should be unique to the one student who made it, as tokens: every hello
 * random in its captures, every secret in its key logs, every challenge its decrypted chats carry,
 * every client certificate its captures show, and the fingerprint of its own CA and server
 * certificate. Two students' work sharing a token means one copied from the other (or both from a
 * third): 32 random bytes never repeat, and each student's {@code lab certs init} makes fresh keys.
 * Grading compares these across the class.
 */
public final class Traces {
  private Traces() {}

  /** The tokens of the work folder {@code work}, each prefixed with what it is. */
  public static Set<String> of(Path work) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : List.of("ca.pem", "server.pem")) {
      Path f = work.resolve("certs").resolve(name);
      if (Files.isRegularFile(f)) {
        X509Certificate c = Steps.certificate(new tlslab.exercise.Report(), f, "", "");
        if (c != null) {
          out.add("certificate " + name + " " + CertificateSummary.sha256Fingerprint(c));
        }
      }
    }
    Path captures = work.resolve("captures");
    if (!Files.isDirectory(captures)) {
      return out;
    }
    try (Stream<Path> files = Files.list(captures)) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString();
        if (n.endsWith(".keylog")) {
          for (String line : Files.readAllLines(f)) {
            String[] p = line.strip().split("\\s+");
            if (p.length == 3 && !p[0].startsWith("#")) {
              out.add("key log secret " + p[2].toLowerCase(java.util.Locale.ROOT));
            }
          }
        } else if (n.endsWith(".pcap") || n.endsWith(".pcapng")) {
          KeyMaterial keys = KeyMaterial.none();
          Path keyLog = f.resolveSibling(n.replaceFirst("\\.pcap(ng)?$", ".keylog"));
          try {
            if (Files.isRegularFile(keyLog)) {
              keys = keys.withKeyLog(keyLog);
            }
          } catch (LabException e) {
            // an unreadable key log decrypts nothing; the randoms still count
          }
          CaptureEvidence cap = CaptureEvidence.read(f, keys);
          for (ConnectionFacts c : cap.facts()) {
            CaptureEvidence.Hellos h = cap.hellos(c);
            if (!h.clientRandom().isEmpty()) {
              out.add("client random " + h.clientRandom());
            }
            if (!h.serverRandom().isEmpty()) {
              out.add("server random " + h.serverRandom());
            }
            cap.challengesSent(c).forEach(x -> out.add("challenge " + x));
            // The certificate a client presented is its holder's: in class, the bundle's. Two
            // hand-ins presenting one (a bundle lent to a classmate) are flagged, both of them.
            if (!c.clientCertificates().isEmpty()) {
              out.add(
                  "client certificate "
                      + CertificateSummary.sha256Fingerprint(c.clientCertificates().get(0)));
            }
          }
          // Keys carried inside a pcapng are the student's key log as much as a .keylog file.
          for (String line : cap.secretsInside()) {
            String[] p = line.split("\\s+");
            if (p.length == 3) {
              out.add("key log secret " + p[2].toLowerCase(java.util.Locale.ROOT));
            }
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // an unreadable folder has no tokens; its checks fail on their own
    }
    return out;
  }
}
