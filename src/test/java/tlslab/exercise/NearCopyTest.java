package tlslab.exercise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers a student writes in their own words are read by the instructor, never passed on
 * keywords; a copy made to look like one's own (the same sentences with another name, clauses
 * reordered, a synonym or two) used to go unflagged, since only identical answers were. Here a
 * class hands in realistic answers to exercise 6 ("proves") and 8 ("fix"): several written
 * independently about the same thing (they share the vocabulary, not the phrasing), several
 * disguised copies, a sentence pasted from the exercise, and short standard answers that are alike
 * by nature. Graded by {@code lab class grade}, each disguised copy and its original are flagged,
 * naming each other and how alike they are; the independent and the short ones are not.
 */
class NearCopyTest {
  @TempDir Path dir;

  /** Student ID -> answer to exercise 6's "proves". */
  private static final Map<String, String> PROVES = new LinkedHashMap<>();

  /** Student ID -> answer to exercise 8's "fix". */
  private static final Map<String, String> FIX = new LinkedHashMap<>();

  static {
    // Written independently.
    PROVES.put(
        "s2000001",
        "It proves that both sides saw the same handshake messages and derived the same master"
            + " secret, so nobody tampered with the handshake.");
    PROVES.put(
        "s2000002",
        "The Finished message shows the client and server computed identical keys and nothing in"
            + " the handshake was modified by an attacker.");
    PROVES.put(
        "s2000003",
        "That no one changed the hello messages in transit, since the MAC covers the hash of all"
            + " the handshake messages.");
    PROVES.put(
        "s2000004",
        "It is an HMAC of the transcript so if a man in the middle edits the Client Hello the MAC"
            + " will not match and the server aborts.");
    PROVES.put(
        "s2000005",
        "Both peers hold the same master secret and agree on every handshake message they"
            + " exchanged, which stops downgrade attacks.");
    PROVES.put(
        "s2000006",
        "It proves the handshake was not tampered with and that the keys are the same on both"
            + " ends.");
    PROVES.put("s2000007", "Proves integrity of the handshake.");
    PROVES.put(
        "s2000008",
        "It proves the client and the server saw the same handshake and have the same keys.");
    // Disguised copies: of s2000001 (a synonym; clauses reordered; two synonyms), s2000002
    // (words reordered), s2000004 (contractions, one synonym).
    PROVES.put(
        "s2000011",
        "It proves that both parties saw the same handshake messages and derived the same master"
            + " secret, so nobody tampered with the handshake.");
    PROVES.put(
        "s2000012",
        "Both sides saw the same handshake messages and derived the same master secret, so it"
            + " proves nobody tampered with the handshake.");
    PROVES.put(
        "s2000013",
        "It proves that both sides saw identical handshake messages and computed the same master"
            + " secret, so no one tampered with the handshake.");
    PROVES.put(
        "s2000014",
        "The Finished message shows that server and client computed identical keys and that"
            + " nothing in the handshake was changed by an attacker.");
    PROVES.put(
        "s2000015",
        "It's an HMAC over the transcript, so if a man in the middle modifies the Client Hello the"
            + " MAC won't match and the server aborts.");
    // Pasted from the exercise's own text.
    PROVES.put(
        "s2000016",
        "It proves both sides saw the same handshake (no downgrade or tampering) and hold the same"
            + " keys.");

    FIX.put(
        "s2000001",
        "As Alice found, the client has to verify the server certificate chain against a trusted"
            + " CA and check the hostname, which the insecure mode skips.");
    FIX.put(
        "s2000002",
        "Certificate validation: a real client rejects the impostor because it is signed by a CA"
            + " it does not trust.");
    FIX.put(
        "s2000003",
        "Checking that the certificate is issued by a trusted authority and names localhost;"
            + " --insecure turns that off.");
    FIX.put(
        "s2000004",
        "Pinning the server's public key or using a CA-signed certificate that the client actually"
            + " validates.");
    FIX.put(
        "s2000005",
        "Only connect when the certificate chains to the lab CA you trust, like the refusing client"
            + " does by default.");
    // Short and standard: alike by nature, also word for word.
    FIX.put("s2000006", "Hostname verification.");
    FIX.put("s2000007", "Hostname verification.");
    FIX.put("s2000008", "Verify certs");
    FIX.put("s2000009", "The client must check the certificate chain and the hostname.");
    FIX.put("s2000010", "The client should verify the certificate chain and the host name.");
    // Disguised copies of s2000001 (another name, synonyms) and of s2000003.
    FIX.put(
        "s2000011",
        "As Bob found, the client must validate the server certificate chain against a trusted CA"
            + " and check the host name, which insecure mode skips.");
    FIX.put(
        "s2000013",
        "Checking that the cert is issued by a trusted authority and names localhost, which"
            + " --insecure turns off.");
  }

  @Test
  void disguisedCopiesAreFlaggedWithTheirOriginalAndIndependentAnswersAreNot() throws IOException {
    Path submissions = Files.createDirectories(dir.resolve("handed-in"));
    for (String id : PROVES.keySet()) {
      write(submissions, id, "06.txt", "message: Finished\nproves: " + PROVES.get(id) + "\n");
    }
    for (String id : FIX.keySet()) {
      write(submissions, id, "08.txt", "fix: " + FIX.get(id) + "\n");
    }
    Path graded = dir.resolve("gradebook.csv");
    ClassGradeTest.Run run = ClassGradeTest.grade(StudentWork.get().classDir, submissions, graded);
    Map<String, String> flags = new HashMap<>();
    ClassGradeTest.csv(Files.readString(graded))
        .forEach(x -> flags.put(x.get("student"), x.get("collusion")));

    Map<String, List<String>> copies =
        Map.of(
            "s2000001", List.of("s2000011", "s2000012", "s2000013"),
            "s2000002", List.of("s2000014"),
            "s2000004", List.of("s2000015"));
    copies.forEach(
        (original, copied) -> {
          for (String c : copied) {
            assertThat(flags.get(c))
                .as(c + " copied " + original)
                .contains("near-copy of " + original + "'s answer to 6 proves (similarity ");
            assertThat(flags.get(original))
                .contains("near-copy of " + c + "'s answer to 6 proves (similarity ");
          }
        });
    // Two copies of one original are near-copies of each other too.
    assertThat(flags.get("s2000011")).contains("near-copy of s2000012's answer to 6 proves");
    // An original is flagged with its own copies only, never with an independent answer.
    assertThat(flags.get("s2000001"))
        .doesNotContain("near-copy of s2000002", "near-copy of s2000006", "near-copy of s2000008");
    for (String independent : List.of("s2000003", "s2000005", "s2000006", "s2000007", "s2000008")) {
      assertThat(flags.get(independent))
          .as(independent + " wrote " + PROVES.get(independent))
          .doesNotContain("'s answer to 6 proves", "6 proves is not in own words");
    }
    // Pasted from the exercise: not a classmate's words, nor the student's.
    assertThat(flags.get("s2000016"))
        .contains("answer to 6 proves is not in own words", "exercises/06-finished.md")
        .doesNotContain("near-copy");

    assertThat(flags.get("s2000011"))
        .contains("near-copy of s2000001's answer to 8 fix (similarity ");
    assertThat(flags.get("s2000013"))
        .contains("near-copy of s2000003's answer to 8 fix (similarity ");
    for (String independent : List.of("s2000002", "s2000004", "s2000005")) {
      assertThat(flags.get(independent))
          .as(independent + " wrote " + FIX.get(independent))
          .doesNotContain("answer to 8 fix");
    }
    // "Hostname verification." twice, "Verify certs", the standard sentence in two wordings:
    // standard answers, never flagged.
    for (String standard : List.of("s2000006", "s2000007", "s2000008", "s2000009", "s2000010")) {
      assertThat(flags.get(standard)).doesNotContain("8 fix", "shares with");
    }
    assertThat(run.out()).contains("FLAGGED: ").contains("near-copy of s2000001");
  }

  private static void write(Path submissions, String id, String answers, String text) {
    Evidence.write(submissions.resolve(id + "/" + Submission.STUDENT_FILE), id + "\n");
    Evidence.write(submissions.resolve(id + "/answers/" + answers), text);
  }
}
