package tlslab.exercise.checks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import tlslab.annotate.ConnectionFacts;
import tlslab.annotate.KeyMaterial;
import tlslab.annotate.Row;
import tlslab.common.LabException;
import tlslab.exercise.Identity;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;
import tlslab.pki.CertificateFile;
import tlslab.pki.CertificateSummary;
import tlslab.pki.LabCertificates;

/**
 * Requirements several exercises share: the student's own certificates, a readable capture, and a
 * handshake in it made with the student's own server certificate. Each step records its items in
 * the report and returns null (or empty) when a later step cannot go on.
 */
final class Steps {
  private Steps() {}

  /**
   * Whether a text file of evidence (key log, log, trace) is larger than any an exercise makes: 64
   * MiB, what a grader accepts. Such a file is refused, not read, so that it cannot hold the
   * checker for minutes or exhaust its memory.
   */
  static boolean tooLarge(Path file) {
    try {
      return Files.size(file) > (64L << 20);
    } catch (java.io.IOException e) {
      return false; // reading it fails on its own, with its own message
    }
  }

  /** The student's own server certificate, {@code certs/server.pem}; null (item failed) if none. */
  static X509Certificate ownServerCertificate(Report r, Workspace ws) {
    return certificate(
        r,
        ws.certs().resolve("server.pem"),
        "your certificates exist",
        "run: lab certs init --dir " + ws.certs() + " (exercise 1)");
  }

  /** The student's own CA certificate, {@code certs/ca.pem}; null (item failed) if none. */
  static X509Certificate ownCa(Report r, Workspace ws) {
    return certificate(
        r,
        ws.certs().resolve("ca.pem"),
        "your lab CA exists",
        "run: lab certs init --dir " + ws.certs() + " (exercise 1)");
  }

  /**
   * Reads the certificate in {@code pem}; only a failure is recorded (the certificate existing is
   * no achievement of the exercise), under {@code requirement} with {@code hint}.
   */
  static X509Certificate certificate(Report r, Path pem, String requirement, String hint) {
    if (!Files.isRegularFile(pem)) {
      r.fail(requirement, hint + "; " + pem + " is missing");
      return null;
    }
    if (tooLarge(pem)) {
      r.fail(requirement, pem + " is larger than any certificate (64 MiB); " + hint);
      return null;
    }
    try {
      return CertificateFile.read(pem, LabCertificates.STORE_PASSWORD).leaf();
    } catch (LabException e) {
      r.fail(requirement, e.getMessage());
      return null;
    } catch (RuntimeException e) {
      // A file that breaks the PEM/DER parsers in an unforeseen way is still just bad evidence.
      r.fail(requirement, pem + ": not a certificate (" + e.getMessage() + ")");
      return null;
    }
  }

  /** Key material from an NSS key log; null (item failed) when it is missing or not a key log. */
  static KeyMaterial keyLog(Report r, Path file, String requirement, String how) {
    if (!Files.isRegularFile(file)) {
      r.fail(requirement, file + " is missing: " + how);
      return null;
    }
    if (tooLarge(file)) {
      r.fail(requirement, file + " is larger than any key log of an exercise (64 MiB): " + how);
      return null;
    }
    try {
      return KeyMaterial.none().withKeyLog(file);
    } catch (LabException e) {
      r.fail(requirement, e.getMessage() + ": " + how);
      return null;
    }
  }

  /**
   * The capture file the student handed in as {@code captures/NAME}: {@code NAME} itself or, for a
   * {@code .pcap} name, the {@code .pcapng} that {@code lab capture --keylog} writes instead (keys
   * inside). NAME when neither exists, so that the hint names the file the exercise asks for.
   */
  static Path captureFile(Workspace ws, String name) {
    Path file = ws.capture(name);
    Path ng = ws.capture(name + "ng");
    return !Files.exists(file) && name.endsWith(".pcap") && Files.isRegularFile(ng) ? ng : file;
  }

  /**
   * Key material for {@code captures/PCAP}: the key log {@code captures/KEYLOG} when there is one,
   * else the keys {@code PCAP} itself carries (a pcapng with a Decryption Secrets Block, as {@code
   * lab capture --keylog} writes: {@link #capture} then decrypts with them). Null (item failed)
   * when the key log is unreadable, or there is neither.
   */
  static KeyMaterial keyLog(
      Report r, Workspace ws, String keylog, String pcap, String requirement, String how) {
    Path file = ws.capture(keylog);
    if (Files.isRegularFile(file)) {
      return keyLog(r, file, requirement, how);
    }
    Path cap = captureFile(ws, pcap);
    if (!CaptureEvidence.read(cap, KeyMaterial.none(), false).secretsInside().isEmpty()) {
      r.pass(requirement + " (the keys inside " + cap.getFileName() + ")");
      return KeyMaterial.none();
    }
    r.fail(
        requirement,
        file
            + " is missing: "
            + how
            + " (or keep the keys inside the capture: lab capture --keylog "
            + file
            + " --out "
            + ws.capture(pcap.endsWith(".pcap") ? pcap + "ng" : pcap)
            + ")");
    return null;
  }

  /**
   * Reads {@code captures/NAME} (or its {@code .pcapng}, see {@link #captureFile}) with {@code
   * keys} and the keys the file carries: "NAME is a readable capture", failed with {@code how} (the
   * command that makes it) when the file is missing or damaged. A capture known to have lost
   * packets (its {@code .stats}) or bytes (snaplen) becomes a caveat: every later failed
   * requirement says the missing evidence may be in the lost part.
   */
  static CaptureEvidence capture(
      Report r, Workspace ws, String name, KeyMaterial keys, String how) {
    return capture(r, ws, name, keys, how, true);
  }

  /** As {@link #capture}; {@code secretsInside} false ignores keys carried inside the file. */
  static CaptureEvidence capture(
      Report r, Workspace ws, String name, KeyMaterial keys, String how, boolean secretsInside) {
    Path file = captureFile(ws, name);
    CaptureEvidence cap = CaptureEvidence.read(file, keys, secretsInside);
    String requirement = name + " is a readable capture";
    if (cap.problem() != null) {
      r.fail(requirement, cap.problem() + "; make it with: " + how);
      return null;
    }
    r.pass(requirement);
    String added = cap.completeness().added(file);
    if (added != null) {
      // A spliced file: some of what it shows was not captured with it.
      r.fail(
          name + " is the file as it was captured",
          added + "; hand in the capture as lab capture wrote it (capture again: " + how + ")");
      return null;
    }
    if (cap.completeness().incomplete()) {
      r.caveat(
          cap.completeness().missing(file)
              + ": what is lost cannot be checked; capture again with lab capture (it says"
              + " \"0 dropped\" at the end; a larger --buffer-size helps, never a small --snaplen)");
    } else if (cap.completeness().stats().isEmpty() && cap.completeness().inFile().isEmpty()) {
      r.note(
          file.getFileName()
              + ": completeness not known (no "
              + tlslab.capture.CaptureStats.sidecar(file).getFileName()
              + " beside it: lab capture writes one; hand it in too); only its own TCP sequence"
              + " numbers were checked for missing bytes");
    }
    return cap;
  }

  /**
   * "NAME lost no packets", for requirements that rest on something being absent (no application
   * data after a refusal, the first frame of a kind): with packets lost the absence proves nothing.
   */
  static boolean complete(Report r, CaptureEvidence cap, String name, String why) {
    boolean ok = !cap.completeness().incomplete();
    r.expect(
        ok,
        name + " lost no packets",
        cap.completeness().missing(cap.file())
            + ": "
            + why
            + ", which a capture with holes cannot show. Capture it again with lab capture");
    return ok;
  }

  /**
   * "NAME holds a TLS handshake" and "the server certificate in NAME is your server.pem": the
   * connection made with the student's own server, or empty when there is none.
   */
  static Optional<ConnectionFacts> ownServerHandshake(
      Report r, Workspace ws, CaptureEvidence cap, String name, X509Certificate mine, String how) {
    if (cap.firstHandshake().isEmpty()) {
      r.fail(
          name + " holds a TLS handshake",
          "no Client Hello answered by a Server Hello in "
              + cap.file()
              + ": start lab capture on the server's port before the client connects ("
              + how
              + ")");
      return Optional.empty();
    }
    r.pass(name + " holds a TLS handshake");
    Optional<ConnectionFacts> own = cap.withServerCertificate(mine);
    String seen =
        cap.facts().stream()
            .filter(c -> !c.serverCertificates().isEmpty())
            .map(c -> CaptureEvidence.describe(c.serverCertificates().get(0)))
            .distinct()
            .collect(Collectors.joining("; "));
    if (own.isPresent() && !genuine(r, cap, ownSessions(cap, mine), name)) {
      return Optional.empty();
    }
    // A certificate naming the student's challenge that is not server.pem: one they issued
    // before the current one (lab certs init --force). Their own, but no longer what they hand in.
    Identity id = ws.identity();
    boolean earlierOfMine =
        id.problem() == null
            && cap.facts().stream()
                .filter(c -> !c.serverCertificates().isEmpty())
                .map(c -> c.serverCertificates().get(0))
                .anyMatch(
                    c ->
                        CertificateSummary.of(c).subjectAltNames().stream()
                            .anyMatch(x -> x.equalsIgnoreCase("DNS:" + challengeSan(id))));
    r.expect(
        own.isPresent(),
        "the server certificate in " + name + " is your " + ws.certs().resolve("server.pem"),
        own.isEmpty() && earlierOfMine
            ? "the capture shows "
                + seen
                + ": it carries your challenge but is not your current "
                + ws.certs().resolve("server.pem")
                + " ("
                + CaptureEvidence.describe(mine)
                + "), so it was made with a server certificate you issued before this one:"
                + " capture the session again with the current one"
            : seen.isEmpty()
                ? "no server Certificate message in "
                    + name
                    + " (a resumed or TLS 1.3 session hides"
                    + " it): capture a full handshake with the default profile"
                : "the capture shows "
                    + seen
                    + ", not your "
                    + CaptureEvidence.describe(mine)
                    + ": capture a session with your own server (lab server --certs "
                    + ws.certs()
                    + ")");
    return own;
  }

  /**
   * "the handshake in NAME verifies": for each of {@code sessions}, the signatures in its handshake
   * verify with the certificates it shows and, where the keys allow, each Finished matches the
   * handshake as captured ({@link HandshakeProof}). A certificate pasted into another handshake, a
   * hand-made or edited capture fails here, with what did not verify. Nothing is recorded when
   * nothing could be verified (no signature in the clear, no keys).
   */
  static boolean genuine(
      Report r, CaptureEvidence cap, List<ConnectionFacts> sessions, String name) {
    String requirement = "the handshake in " + name + " verifies";
    List<String> verified = new java.util.ArrayList<>();
    for (ConnectionFacts c : sessions) {
      HandshakeProof.Result p = cap.proof(c);
      if (!p.genuine()) {
        r.fail(
            requirement,
            "in connection "
                + c.index()
                + " of "
                + name
                + ", "
                + p.problems().get(0)
                + ". A capture counts only as a real handshake recorded it: capture your own"
                + " session again");
        return false;
      }
      p.verified().stream().filter(v -> !verified.contains(v)).forEach(verified::add);
    }
    if (!verified.isEmpty()) {
      r.pass(requirement + " (" + String.join("; ", verified) + ")");
    }
    return true;
  }

  /**
   * "NAME holds only that run's connections": every frame is TCP to or from {@code run}'s server
   * port. {@code lab trace --port P} with {@code lab capture --port P} records one run and nothing
   * else; a capture of all of {@code lo} also holds other programs' traffic (databases, browsers, a
   * classmate's run on a shared machine), which a hand-in must not carry to the instructor, and
   * whose hello randoms would be read as the student's own when a class is compared.
   */
  static boolean onlyThisRun(
      Report r, CaptureEvidence cap, ConnectionFacts run, String name, String how) {
    int port = port(run.server());
    List<Row> others =
        cap.rows().stream()
            .filter(x -> port <= 0 || (x.sourcePort != port && x.destinationPort != port))
            .toList();
    String seen =
        others.stream()
            .map(
                x ->
                    x.source + ":" + x.sourcePort + " → " + x.destination + ":" + x.destinationPort)
            .distinct()
            .limit(3)
            .collect(Collectors.joining(", "));
    r.expect(
        others.isEmpty(),
        name + " holds only that run's connections (port " + port + ")",
        others.size()
            + " of its "
            + cap.rows().size()
            + " frames are other traffic ("
            + seen
            + (others.size() > 3 ? ", …" : "")
            + "): capture only the run's port ("
            + how
            + ")");
    return others.isEmpty();
  }

  /** The port of "host:port", or -1. */
  private static int port(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    try {
      return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The student's identity; its statement becomes a note. Null (item failed) when it cannot be set
   * up: no challenge, not in the manifest.
   */
  static Identity identity(Report r, Workspace ws) {
    Identity id = ws.identity();
    if (id.problem() != null) {
      r.fail("your challenge is known", id.problem());
      return null;
    }
    r.note(id.statement());
    return id;
  }

  /** How the exercises have the student send their challenge, for hints. */
  static String sendChallenge(Workspace ws) {
    return "type it as a line in the chat (the exercise's printf line sends $(./lab exercise"
        + " challenge --dir "
        + ws.dir()
        + "))";
  }

  /**
   * "your challenge is in the decrypted chat of NAME": the student's challenge among the lines the
   * client sent in one of {@code sessions}, decrypted from their own capture. A friend's capture
   * carries the friend's challenge, and the hint says so.
   */
  static boolean challengeSent(
      Report r,
      Workspace ws,
      Identity id,
      CaptureEvidence cap,
      List<ConnectionFacts> sessions,
      String name) {
    String requirement = "your challenge is in the decrypted chat of " + name;
    List<String> seen =
        sessions.stream().flatMap(c -> cap.challengesSent(c).stream()).distinct().toList();
    if (seen.contains(id.challenge())) {
      r.pass(requirement);
      return true;
    }
    if (!seen.isEmpty()) {
      r.fail(
          requirement,
          "the chat in "
              + name
              + " carries "
              + String.join(", ", seen)
              + ", not your challenge: this is someone else's session. Evidence counts only when"
              + " you make it: capture your own chat and "
              + sendChallenge(ws));
    } else {
      r.fail(
          requirement,
          "no line your client sent in "
              + name
              + " carries your challenge ("
              + id.challenge()
              + "): "
              + sendChallenge(ws));
    }
    return false;
  }

  /**
   * "your class certificate is in the handshake of NAME": in class, the student's client presents
   * the certificate of their bundle (RFC 5246 7.4.6, sent in the clear in TLS 1.2) to their own
   * server in one of {@code sessions}. When grading, it must be the one the class manifest lists
   * for the student (serial and SHA-256) and chain to the class CA; a student checking their own
   * work needs their bundle's certificate. The challenge says who made the session; this says that
   * the holder of the student's class key took part, which a copy or a hand-made capture cannot
   * show. Self-study has no class certificate: nothing is required, and the identity note says so.
   */
  static boolean classCertificateUsed(
      Report r,
      Workspace ws,
      Identity id,
      CaptureEvidence cap,
      List<ConnectionFacts> sessions,
      String name) {
    return classCertificateUsed(
        r,
        ws,
        id,
        cap,
        sessions,
        name,
        "in class your client presents your bundle's certificate: add --client-auth want to lab"
            + " server (its trust store holding the class CA: "
            + trustClassCa(ws)
            + ", once) and --cert "
            + ws.bundle()
            + "/FOLDER.p12 to lab client, then capture again");
  }

  /** The step that lets the student's server (and lab trace) accept class certificates. */
  static String trustClassCa(Workspace ws) {
    return "keytool -importcert -noprompt -keystore "
        + ws.certs().resolve("truststore.p12")
        + " -storepass changeit -alias class-ca -file "
        + ws.bundle()
        + "/ca.pem";
  }

  /**
   * How {@code lab trace} presents the student's class certificate: its client uses {@code
   * certs/client-trace.p12}, so the bundle's {@code .p12} is copied there, and {@code --client-auth
   * want} has its server ask for it (trusting the class CA, as for exercise 2).
   */
  static String traceWithClassCertificate(Workspace ws) {
    return "in class lab trace's client presents your bundle's certificate: cp "
        + ws.bundle()
        + "/FOLDER.p12 "
        + ws.certs().resolve("client-trace.p12")
        + " and "
        + trustClassCa(ws)
        + " (once), then run lab trace with --client-auth want, captured again";
  }

  /** As above, with {@code how} the hint that says how to add the certificate. */
  static boolean classCertificateUsed(
      Report r,
      Workspace ws,
      Identity id,
      CaptureEvidence cap,
      List<ConnectionFacts> sessions,
      String name,
      String how) {
    if (id.mode() == Identity.Mode.SELF_STUDY) {
      return true;
    }
    String requirement = "your class certificate is in the handshake of " + name;
    List<X509Certificate> presented =
        sessions.stream()
            .filter(c -> !c.clientCertificates().isEmpty())
            .map(c -> c.clientCertificates().get(0))
            .toList();
    boolean ok;
    if (id.mode() == Identity.Mode.CLASS) {
      ok = presented.stream().anyMatch(c -> classCertificateProblem(ws, id, c) == null);
    } else if (id.bundleCertificate().isEmpty()) {
      r.fail(
          requirement,
          "your bundle in "
              + ws.bundle()
              + " holds no certificate (FOLDER.pem): copy the whole folder your instructor gave"
              + " you");
      return false;
    } else {
      ok = presented.stream().anyMatch(c -> CaptureEvidence.same(c, id.bundleCertificate().get()));
    }
    if (ok) {
      r.pass(requirement);
      return true;
    }
    if (presented.isEmpty()) {
      r.fail(requirement, "your client sent no certificate in " + name + ": " + how);
    } else {
      X509Certificate c = presented.get(0);
      r.fail(
          requirement,
          "the client presented "
              + CaptureEvidence.describe(c)
              + (id.mode() == Identity.Mode.CLASS
                  ? ", " + classCertificateProblem(ws, id, c)
                  : ", not your bundle's certificate")
              + ": "
              + how);
    }
    return false;
  }

  /**
   * Why {@code c} is not the certificate the class CA issued to the student (serial and SHA-256 as
   * the manifest lists them, chained to the class CA), or null when it is.
   */
  static String classCertificateProblem(Workspace ws, Identity id, X509Certificate c) {
    tlslab.pki.ClassCertificates.Entry e = id.student().orElseThrow();
    String serial = c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    String fp = CertificateSummary.sha256Fingerprint(c);
    Optional<tlslab.pki.Revocations.Revoked> revoked = ws.klass().flatMap(k -> k.revocation(c));
    boolean byClassCa =
        tlslab.pki.CertificateVerifier.verify(
                id.classCa().orElseThrow(), List.of(c), null, java.time.Instant.now())
            .passed();
    if (!serial.equals(e.serial()) || !fp.equalsIgnoreCase(e.sha256Fingerprint())) {
      if (revoked.isPresent()
          && byClassCa
          && revoked.get().reason() == tlslab.pki.RevocationReason.SUPERSEDED
          && MutualTlsCheck.namesStudent(
              c, e.student().id() != null ? e.student().id() : e.student().name())) {
        // Not someone else's: the student's own bundle from before the instructor issued it again
        // (lab certs class --reissue), which replaced it.
        return "your earlier class certificate (serial "
            + serial
            + "), replaced when your bundle was issued again on "
            + revoked.get().at()
            + ": the class manifest now lists serial "
            + e.serial()
            + "; copy your new bundle to "
            + ws.bundle()
            + " and capture again with it";
      }
      return "serial "
          + serial
          + ", but the class manifest lists serial "
          + e.serial()
          + " for "
          + e.student()
          + " (use the .p12 of the bundle your instructor gave you, not one you issued"
          + " yourself or a friend's)";
    }
    if (revoked.isPresent()) {
      // Whatever a capture's timestamps say, they can be edited: a revoked certificate no longer
      // proves its student took part. The student asks for a new bundle and captures again.
      return "which the class CA revoked ("
          + revoked.get().reason().rfcName()
          + ", "
          + revoked.get().at()
          + "): it no longer names you; ask your instructor for a new bundle and capture again";
    }
    if (byClassCa) {
      return null;
    }
    tlslab.pki.CertificateVerifier.Result v =
        tlslab.pki.CertificateVerifier.verify(
            id.classCa().orElseThrow(), List.of(c), null, java.time.Instant.now());
    return "which does not chain to the class CA: "
        + v.firstFailure().map(tlslab.pki.CertificateVerifier.Check::line).orElse("");
  }

  /** The SAN a student's server certificate carries to name its maker: CHALLENGE.invalid. */
  static String challengeSan(Identity id) {
    return id.challenge() + ".invalid";
  }

  /**
   * "your server certificate carries your challenge": a dNSName SAN CHALLENGE.invalid (RFC 6761
   * §6.4: .invalid never resolves, so it names no real host). Every capture and trace later made
   * with this certificate is then tied to the student who made it.
   */
  static boolean serverCertificateCarriesChallenge(
      Report r, Workspace ws, Identity id, X509Certificate server) {
    java.util.List<String> sans = CertificateSummary.of(server).subjectAltNames();
    String want = "DNS:" + challengeSan(id);
    List<String> other =
        sans.stream().filter(x -> x.startsWith("DNS:" + tlslab.pki.ClassChallenge.PREFIX)).toList();
    boolean ok = sans.stream().anyMatch(x -> x.equalsIgnoreCase(want));
    r.expect(
        ok,
        "your server certificate carries your challenge",
        other.isEmpty()
            ? ws.certs().resolve("server.pem")
                + " has no SAN "
                + challengeSan(id)
                + ": make it with lab certs init --dir "
                + ws.certs()
                + " --force --san localhost --san 127.0.0.1 --san \"$(./lab exercise challenge).invalid\""
                + " (exercise 1)"
            : ws.certs().resolve("server.pem")
                + " names "
                + String.join(", ", other)
                + ", not your challenge: these are someone else's certificates. Make your own"
                + " (exercise 1) and redo the captures with them");
    return ok;
  }

  /** The sessions of a capture made with the student's own server certificate. */
  static List<ConnectionFacts> ownSessions(CaptureEvidence cap, X509Certificate mine) {
    return cap.facts().stream()
        .filter(
            c ->
                !c.serverCertificates().isEmpty()
                    && CaptureEvidence.same(c.serverCertificates().get(0), mine))
        .toList();
  }

  /** Lower case without accents and with single spaces, to compare people's names. */
  static String plain(String s) {
    return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "")
        .toLowerCase(Locale.ROOT)
        .strip()
        .replaceAll("\\s+", " ");
  }

  /** Upper-case letters and digits only, to compare names whatever their punctuation. */
  static String squash(String s) {
    return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
  }
}
