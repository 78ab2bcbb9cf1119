package tlslab.exercise.checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import tlslab.common.LabException;
import tlslab.exercise.Checker;
import tlslab.exercise.ClassRecord;
import tlslab.exercise.Exercise;
import tlslab.exercise.Report;
import tlslab.exercise.Submission;
import tlslab.exercise.Workspace;

/**
 * Grading a whole class: every checker on every submission, against the instructor's {@link
 * ClassRecord}, and a comparison of the submissions with each other. A submission is a {@code lab
 * exercise submit} archive ({@code .zip}) or a work folder, in one folder of submissions.
 *
 * <p>Collusion: two submissions that share an identical evidence file, a hello random, a key-log
 * secret, a challenge, a certificate of their own, a client certificate their captures show or an
 * answer in their own words (the same sentence) are flagged, both of them, naming what they share.
 * A work folder is graded from a copy ({@link Submission#copyFolder}), so that no symbolic link
 * makes a classmate's files, or the grader's, part of it. Honest students never share these: each
 * makes fresh keys and fresh handshakes, and writes their own sentences.
 */
public final class Grading {
  /** What happened to one exercise of one submission. */
  public enum Status {
    PASSED,
    FAILED,
    MISSING
  }

  /** One exercise's result: for FAILED, the first failed requirement and its hint. */
  public record Outcome(Status status, String hint, Map<String, String> collected) {}

  /** One submission's row of the gradebook. */
  public record Graded(
      String submission,
      String student,
      String name,
      Map<Integer, Outcome> outcomes,
      List<String> flags) {
    public long passed() {
      return outcomes.values().stream().filter(o -> o.status() == Status.PASSED).count();
    }
  }

  /** Told after each graded submission, one call at a time. */
  @FunctionalInterface
  public interface Progress {
    void graded(int done, int total, String submission);
  }

  /** Evidence whose absence makes an exercise "missing" rather than "failed". */
  private static final Map<Integer, List<String>> EVIDENCE =
      Map.ofEntries(
          Map.entry(1, List.of("certs/server.pem", "answers/01.txt")),
          Map.entry(2, List.of("captures/02.pcap", "captures/02.pcapng")),
          Map.entry(3, List.of("answers/03.txt")),
          Map.entry(
              4,
              List.of(
                  "captures/04-report.pcap",
                  "captures/04-modern.pcap",
                  "captures/04-modern.pcapng",
                  "answers/04.txt")),
          Map.entry(5, List.of("answers/05.txt")),
          Map.entry(6, List.of("traces/06.jsonl", "mitm/06.jsonl", "answers/06.txt")),
          Map.entry(7, List.of("traces/07.jsonl", "answers/07.txt")),
          Map.entry(8, List.of("captures/08.pcap", "mitm/08.jsonl", "answers/08.txt")),
          Map.entry(9, List.of("captures/09.pcap", "captures/09.pcapng")),
          Map.entry(10, List.of("captures/10.pcap", "captures/10.pcapng", "answers/10.txt")),
          Map.entry(
              11, List.of("captures/11-good.pcap", "captures/11-revoked.pcap", "certs/crl.pem")));

  private Grading() {}

  /**
   * Grades every submission in {@code submissions} for {@code exercises}.
   *
   * @param scratch where archives are unpacked (one folder each)
   * @param checkers the checker of each exercise number ({@code Checkers::forExercise})
   */
  public static List<Graded> grade(
      ClassRecord klass,
      Path submissions,
      List<Exercise> exercises,
      Path scratch,
      IntFunction<Optional<Checker>> checkers,
      Progress progress) {
    List<Path> items = list(submissions);
    if (items.isEmpty()) {
      throw LabException.badInput(
          submissions + ": no submissions (.zip from lab exercise submit, or work folders)");
    }
    int total = items.size();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    List<Future<Map.Entry<Graded, Set<String>>>> futures = new ArrayList<>();
    try {
      for (Path item : items) {
        futures.add(
            pool.submit(
                () -> {
                  Map.Entry<Graded, Set<String>> g =
                      gradeOne(klass, item, exercises, scratch, checkers);
                  int n = done.incrementAndGet();
                  if (progress != null) {
                    synchronized (progress) {
                      progress.graded(n, total, g.getKey().submission());
                    }
                  }
                  return g;
                }));
      }
      List<Graded> rows = new ArrayList<>();
      List<Set<String>> tokens = new ArrayList<>();
      for (Future<Map.Entry<Graded, Set<String>>> f : futures) {
        rows.add(f.get().getKey());
        tokens.add(f.get().getValue());
      }
      List<Graded> out = nearCopies(flagCollusion(rows, tokens), labTexts(exercises));
      out.addAll(nothingHandedIn(klass, rows, exercises));
      // The class in manifest order, as the instructor's roster has it (those who handed in
      // nothing in their place, not at the end); hand-ins for no student of it after them.
      Map<String, Integer> order = new java.util.HashMap<>();
      klass.entries().forEach(e -> order.putIfAbsent(e.key(), order.size()));
      out.sort(
          java.util.Comparator.comparing(
                  (Graded g) -> order.getOrDefault(g.student(), Integer.MAX_VALUE))
              .thenComparing(Graded::submission));
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted while grading");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LabException le) {
        throw le;
      }
      throw new IllegalStateException("grading failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Everything in the folder of submissions but hidden files ({@code .DS_Store}): a file that is
   * neither a {@code .zip} nor a folder gets a row saying so, rather than vanishing from the
   * gradebook (a student who handed in a {@code .tar.gz} or a {@code .ZIP} is still there).
   */
  private static List<Path> list(Path dir) {
    if (Files.isRegularFile(dir)) {
      throw LabException.badInput(
          dir
              + " is a file: give --submissions the folder that holds the hand-ins (each a .zip"
              + " or a work folder)");
    }
    if (!Files.isDirectory(dir)) {
      throw LabException.badInput(dir + ": no such folder of submissions");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw LabException.badInput(dir + ": unreadable (" + e.getMessage() + ")");
    }
  }

  /** The hidden files of the folder of submissions, which grading leaves out (to say so). */
  public static List<String> hidden(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean isZip(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip");
  }

  private static Map.Entry<Graded, Set<String>> gradeOne(
      ClassRecord klass,
      Path item,
      List<Exercise> exercises,
      Path scratch,
      IntFunction<Optional<Checker>> checkers)
      throws IOException {
    String name = item.getFileName().toString();
    Path work = item;
    Optional<String> declared;
    List<String> leftOut = List.of();
    if (!isZip(name) && !Files.isDirectory(item)) {
      return unreadable(
          name,
          klass,
          exercises,
          "not a .zip from lab exercise submit, nor a work folder (ask for the .zip again)");
    }
    if (isZip(name)) {
      work = Files.createTempDirectory(Files.createDirectories(scratch), "zip-");
      try {
        declared = Submission.unpack(item, work);
      } catch (LabException e) {
        // One student's broken (or hostile) archive must not stop the grading of the class:
        // its row says why nothing in it was graded.
        return unreadable(name, klass, exercises, e.getMessage());
      }
    } else {
      // A folder is graded from a copy made as an archive is unpacked: the same limits, and no
      // symbolic link out of it (to a classmate's folder beside it, or the grader's own files).
      work = Files.createTempDirectory(Files.createDirectories(scratch), "folder-");
      try {
        leftOut = Submission.copyFolder(item, work);
      } catch (LabException e) {
        return unreadable(name, klass, exercises, e.getMessage());
      }
      Path f = work.resolve(Submission.STUDENT_FILE);
      declared =
          Files.isRegularFile(f) && Files.size(f) < 4096
              ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
              : Optional.empty();
    }
    String declaredAs = declared.orElse(studentOfFileName(name));
    String student = declaredAs;
    Optional<tlslab.pki.ClassCertificates.Entry> entry = klass.find(student);
    List<String> flags = new ArrayList<>();
    if (entry.isEmpty() && klass.named(student).size() > 1) {
      // Two students of one name: the hand-in's bundle certificate says which of them it is for
      // (the checks then hold it to that student's challenge and certificate, as any other).
      entry = byBundleCertificate(klass.named(student), work);
      if (entry.isPresent()) {
        student = entry.get().key();
        flags.add(
            "handed in as '"
                + declaredAs
                + "', the name of "
                + klass.named(declaredAs).size()
                + " students: graded as "
                + student
                + ", whose certificate its bundle holds");
      }
    }
    Workspace ws = new Workspace(work, Optional.of(student), Optional.of(klass));
    Map<Integer, Outcome> outcomes = new TreeMap<>();
    for (Exercise e : exercises) {
      Optional<Checker> c = checkers.apply(e.number());
      if (c.isEmpty()) {
        continue;
      }
      Path root = work;
      List<String> evidence = EVIDENCE.getOrDefault(e.number(), List.of());
      if (!evidence.isEmpty() && evidence.stream().noneMatch(p -> Files.exists(root.resolve(p)))) {
        outcomes.put(e.number(), new Outcome(Status.MISSING, "", Map.of()));
        continue;
      }
      Report r = c.get().check(ws);
      // Hints name files by path; an archive is unpacked in a scratch folder deleted after
      // grading, so its files are named as in the student's own folder: work/certs/server.pem.
      String unpacked = work.toString();
      String shownAs = isZip(name) ? "work" : item.toString();
      outcomes.put(
          e.number(),
          new Outcome(
              r.passed() ? Status.PASSED : Status.FAILED,
              r.firstFailure()
                  .map(i -> i.requirement() + ": " + i.hint())
                  .map(h -> h.replace(unpacked, shownAs))
                  .orElse(""),
              r.collected()));
    }
    if (entry.isEmpty()) {
      flags.add(klass.notFound(student));
    }
    if (!leftOut.isEmpty()) {
      flags.add("left out, not graded: " + String.join(", ", leftOut));
    }
    Set<String> tokens = new TreeSet<>(Traces.of(work));
    fileHashes(work).forEach(h -> tokens.add("identical file " + h));
    outcomes.forEach(
        (n, o) ->
            o.collected().forEach((k, v) -> ownWords(n, k, v, exerciseText(exercises, n), tokens)));
    return Map.entry(graded(name, student, entry, outcomes, flags), tokens);
  }

  /** The one of {@code candidates} whose manifest certificate is the bundle's in {@code work}. */
  private static Optional<tlslab.pki.ClassCertificates.Entry> byBundleCertificate(
      List<tlslab.pki.ClassCertificates.Entry> candidates, Path work) {
    Optional<java.security.cert.X509Certificate> cert =
        tlslab.exercise.Identity.bundleCertificateIn(work);
    if (cert.isEmpty()) {
      return Optional.empty();
    }
    String fp = tlslab.pki.CertificateSummary.sha256Fingerprint(cert.get());
    List<tlslab.pki.ClassCertificates.Entry> mine =
        candidates.stream().filter(e -> e.sha256Fingerprint().equalsIgnoreCase(fp)).toList();
    return mine.size() == 1 ? Optional.of(mine.get(0)) : Optional.empty();
  }

  /** The row of one submission, named by the class manifest's entry when there is one. */
  private static Graded graded(
      String name,
      String student,
      Optional<tlslab.pki.ClassCertificates.Entry> entry,
      Map<Integer, Outcome> outcomes,
      List<String> flags) {
    return new Graded(
        name,
        entry.map(tlslab.pki.ClassCertificates.Entry::key).orElse(student),
        entry.map(x -> x.student().name()).orElse(""),
        outcomes,
        flags);
  }

  /** What {@link Graded#submission()} is for a student of the manifest who handed in nothing. */
  public static final String NO_SUBMISSION = "";

  /**
   * A row for each student of the manifest no submission is for: every exercise missing, so that
   * the gradebook lists the whole class, not only those who handed something in.
   */
  private static List<Graded> nothingHandedIn(
      ClassRecord klass, List<Graded> rows, List<Exercise> exercises) {
    Set<String> seen = new TreeSet<>();
    rows.forEach(g -> seen.add(g.student()));
    List<Graded> out = new ArrayList<>();
    for (tlslab.pki.ClassCertificates.Entry e : klass.entries()) {
      if (!seen.contains(e.key())) {
        Map<Integer, Outcome> outcomes = new TreeMap<>();
        exercises.forEach(x -> outcomes.put(x.number(), new Outcome(Status.MISSING, "", Map.of())));
        out.add(graded(NO_SUBMISSION, e.key(), Optional.of(e), outcomes, List.of()));
      }
    }
    return out;
  }

  /** "submission-alice.zip" and "alice.zip" are alice's (so is a wrongly packed "alice.tar.gz"). */
  private static String studentOfFileName(String name) {
    return name.replaceFirst("(?i)\\.(zip|tar|tar\\.gz|tgz|gz|7z|rar)$", "")
        .replaceFirst("^submission-", "");
  }

  /** The row of a submission that could not be unpacked: every exercise failed, saying why. */
  private static Map.Entry<Graded, Set<String>> unreadable(
      String name, ClassRecord klass, List<Exercise> exercises, String why) {
    String student = studentOfFileName(name);
    Map<Integer, Outcome> outcomes = new TreeMap<>();
    for (Exercise e : exercises) {
      outcomes.put(
          e.number(),
          new Outcome(Status.FAILED, "the submission could not be unpacked: " + why, Map.of()));
    }
    return Map.entry(
        graded(
            name, student, klass.find(student), outcomes, List.of("unreadable submission: " + why)),
        Set.of());
  }

  /** Fewest words for two identical answers in someone's own words to mean a copy. */
  static final int OWN_WORDS_MIN = 6;

  /**
   * "same answer to 6 proves HASH": an answer collected for the instructor to read, in the
   * student's own words (never checked on keywords, so never alike by design, unlike a factual
   * answer). Two students writing the same sentence of {@value #OWN_WORDS_MIN} words or more, case,
   * accents, spacing and punctuation aside, copied it.
   */
  private static void ownWords(
      int exercise, String key, String text, String exerciseText, Set<String> tokens) {
    String plain = words(text);
    // A sentence pasted from the exercise's own text is alike in every hand-in that pastes it:
    // not a copy from a classmate (the instructor reads it anyway).
    if (plain.split(" ").length < OWN_WORDS_MIN || exerciseText.contains(plain)) {
      return;
    }
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(plain.getBytes(StandardCharsets.UTF_8));
      tokens.add(
          "same answer to " + exercise + " " + key + " " + HexFormat.of().formatHex(h, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is in every JDK", e);
    }
  }

  /** Lower case letters and digits, one space between words, accents aside. */
  private static String words(String text) {
    return tlslab.exercise.Identity.plain(text).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
  }

  /** Exercise {@code n}'s text as {@link #words} has it ("" when it cannot be read). */
  private static String exerciseText(List<Exercise> exercises, int n) {
    for (Exercise e : exercises) {
      if (e.number() == n && e.file() != null) {
        try {
          return words(Files.readString(e.file(), StandardCharsets.UTF_8));
        } catch (IOException | java.io.UncheckedIOException e2) {
          return "";
        }
      }
    }
    return "";
  }

  /**
   * "captures/02.pcap sha256" for each evidence file (answers and bundles aside: alike by design).
   */
  private static List<String> fileHashes(Path work) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(work)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String rel = work.relativize(f).toString().replace('\\', '/');
        // A .stats file (how complete a capture is) holds counts two honest captures can share.
        boolean evidence =
            rel.startsWith("captures/") || rel.startsWith("traces/") || rel.startsWith("certs/");
        if (evidence && !rel.endsWith(".stats")) {
          byte[] h = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
          out.add(HexFormat.of().formatHex(h, 0, 8) + " (" + rel + ")");
        }
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      // unreadable files cannot be compared; their checks fail on their own
    }
    return out;
  }

  private static List<Graded> flagCollusion(List<Graded> rows, List<Set<String>> tokens) {
    Map<String, List<Integer>> owners = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      for (String t : tokens.get(i)) {
        owners.computeIfAbsent(t.replaceFirst(" \\(.*\\)$", ""), k -> new ArrayList<>()).add(i);
      }
    }
    List<List<String>> flags = new ArrayList<>();
    rows.forEach(r -> flags.add(new ArrayList<>(r.flags())));
    Map<String, Map<Integer, Set<String>>> shared = new TreeMap<>();
    owners.forEach(
        (token, who) -> {
          if (who.size() < 2) {
            return;
          }
          for (int i : who) {
            for (int j : who) {
              if (i != j) {
                String kind =
                    token.replaceFirst(" [0-9a-f:A-F-]+$", "").replaceFirst(" tlslab-.*", "");
                shared
                    .computeIfAbsent(String.valueOf(i), k -> new TreeMap<>())
                    .computeIfAbsent(j, k -> new TreeSet<>())
                    .add(kind);
              }
            }
          }
        });
    shared.forEach(
        (i, others) ->
            others.forEach(
                (j, kinds) ->
                    flags
                        .get(Integer.parseInt(i))
                        .add(
                            "shares with "
                                + rows.get(j).student()
                                + ": "
                                + String.join(", ", kinds))));
    // Two hand-ins for one student: one of them is someone else's (a copy handed in twice, or a
    // hand-in made in a classmate's name, student.txt edited). Both are flagged.
    Map<String, List<Integer>> byStudent = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byStudent.computeIfAbsent(rows.get(i).student(), k -> new ArrayList<>()).add(i);
    }
    byStudent.forEach(
        (student, who) -> {
          if (who.size() > 1) {
            for (int i : who) {
              flags
                  .get(i)
                  .add(
                      who.size()
                          + " submissions are for "
                          + student
                          + ": "
                          + String.join(
                              ", ", who.stream().map(k -> rows.get(k).submission()).toList()));
            }
          }
        });
    return withFlags(rows, flags);
  }

  /**
   * The lab's own texts, by name ({@code exercises/06-finished.md}, {@code docs/MITM.md}, {@code
   * README.md}), as word triples ({@link AnswerSimilarity#grams}): what an answer "in your own
   * words" may have been pasted from. Found beside the exercises' folder; a text that cannot be
   * read is left out.
   */
  private static Map<String, Set<String>> labTexts(List<Exercise> exercises) {
    Map<String, Set<String>> out = new TreeMap<>();
    Optional<Path> folder =
        exercises.stream()
            .map(Exercise::file)
            .filter(f -> f != null && f.getParent() != null)
            .map(Path::getParent)
            .findFirst();
    if (folder.isEmpty()) {
      return out;
    }
    Path home = folder.get().toAbsolutePath().getParent();
    List<Path> texts = new ArrayList<>();
    for (Path dir :
        home == null ? List.of(folder.get()) : List.of(folder.get(), home.resolve("docs"))) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(f -> f.getFileName().toString().endsWith(".md")).sorted().forEach(texts::add);
      } catch (IOException e) {
        // no such folder: nothing to compare with there
      }
    }
    if (home != null) {
      texts.add(home.resolve("README.md"));
    }
    for (Path t : texts) {
      try {
        String name =
            home == null
                ? t.getFileName().toString()
                : home.relativize(t.toAbsolutePath()).toString();
        out.put(
            name.replace('\\', '/'),
            AnswerSimilarity.grams(
                AnswerSimilarity.words(Files.readString(t, StandardCharsets.UTF_8)), 3));
      } catch (IOException | java.io.UncheckedIOException e) {
        // unreadable: left out
      }
    }
    return out;
  }

  /**
   * Flags answers in a student's own words that are not: a near-copy of a classmate's ({@link
   * AnswerSimilarity}: the same sentences with another name, reordered, a synonym or two), both
   * flagged with the other student and how alike they are; or taken from the lab's own texts (the
   * exercise, the README, docs/), flagged with the text's name. Identical answers are flagged
   * already ({@link #ownWords}); answers too short to tell ("TLS 1.3") are not compared, nor code
   * (the same fix of the same function is alike by nature): only the prose around it.
   */
  private static List<Graded> nearCopies(List<Graded> rows, Map<String, Set<String>> texts) {
    List<List<String>> flags = new ArrayList<>();
    rows.forEach(r -> flags.add(new ArrayList<>(r.flags())));
    // Per row: "6 proves" -> its words, prose only.
    List<Map<String, List<String>>> answers = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Map<String, List<String>> mine = new TreeMap<>();
      for (Map.Entry<Integer, Outcome> o : rows.get(i).outcomes().entrySet()) {
        for (Map.Entry<String, String> a : o.getValue().collected().entrySet()) {
          List<String> w = AnswerSimilarity.prose(a.getValue());
          if (AnswerSimilarity.comparable(w)) {
            String key = o.getKey() + " " + a.getKey();
            Optional<Map.Entry<String, Double>> source = takenFrom(w, texts);
            if (source.isPresent()) {
              flags
                  .get(i)
                  .add(
                      "answer to "
                          + key
                          + " is not in own words: "
                          + percent(source.get().getValue())
                          + " of it is the text of "
                          + source.get().getKey());
            } else {
              mine.put(key, w);
            }
          }
        }
      }
      answers.add(mine);
    }
    for (int i = 0; i < rows.size(); i++) {
      for (int j = i + 1; j < rows.size(); j++) {
        for (Map.Entry<String, List<String>> a : answers.get(i).entrySet()) {
          List<String> b = answers.get(j).get(a.getKey());
          if (b == null || b.equals(a.getValue())) {
            continue; // identical: "same answer to", flagged already
          }
          double s = AnswerSimilarity.similarity(a.getValue(), b);
          if (s >= AnswerSimilarity.NEAR_COPY) {
            flags.get(i).add(nearCopy(rows.get(j), a.getKey(), s));
            flags.get(j).add(nearCopy(rows.get(i), a.getKey(), s));
          }
        }
      }
    }
    return withFlags(rows, flags);
  }

  /** {@code rows} with {@code flags.get(i)} as row i's flags. */
  private static List<Graded> withFlags(List<Graded> rows, List<List<String>> flags) {
    List<Graded> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Graded g = rows.get(i);
      out.add(
          new Graded(
              g.submission(), g.student(), g.name(), g.outcomes(), List.copyOf(flags.get(i))));
    }
    return out;
  }

  private static String nearCopy(Graded other, String key, double similarity) {
    return "near-copy of "
        + other.student()
        + "'s answer to "
        + key
        + " (similarity "
        + String.format(java.util.Locale.ROOT, "%.2f", similarity)
        + ")";
  }

  /** The lab text most of {@code answer} is taken from, and how much, if one is. */
  private static Optional<Map.Entry<String, Double>> takenFrom(
      List<String> answer, Map<String, Set<String>> texts) {
    Map.Entry<String, Double> best = null;
    for (Map.Entry<String, Set<String>> t : texts.entrySet()) {
      double share = AnswerSimilarity.takenFrom(answer, t.getValue());
      if (share >= AnswerSimilarity.FROM_TEXT && (best == null || share > best.getValue())) {
        best = Map.entry(t.getKey(), share);
      }
    }
    return Optional.ofNullable(best);
  }

  private static String percent(double share) {
    return Math.round(share * 100) + "%";
  }

  /**
   * The gradebook as CSV (RFC 4180): student, name, submission, passed count, then per exercise its
   * status and hint, then the collected conceptual answers, then the collusion flags.
   */
  public static String csv(List<Graded> rows, List<Exercise> exercises) {
    StringBuilder b = new StringBuilder();
    List<String> head = new ArrayList<>(List.of("student", "name", "submission", "passed"));
    for (Exercise e : exercises) {
      head.add(String.format("ex%02d", e.number()));
      head.add(String.format("ex%02d_hint", e.number()));
    }
    head.add("answers_to_read");
    head.add("collusion");
    line(b, head);
    for (Graded g : rows) {
      List<String> cells =
          new ArrayList<>(
              List.of(g.student(), g.name(), g.submission(), String.valueOf(g.passed())));
      StringBuilder read = new StringBuilder();
      for (Exercise e : exercises) {
        Outcome o = g.outcomes().get(e.number());
        cells.add(o == null ? "" : o.status().name().toLowerCase(java.util.Locale.ROOT));
        cells.add(o == null ? "" : o.hint());
        if (o != null) {
          o.collected()
              .forEach(
                  (k, v) ->
                      read.append(read.length() == 0 ? "" : " | ")
                          .append(e.number())
                          .append(' ')
                          .append(k)
                          .append(": ")
                          .append(v));
        }
      }
      cells.add(read.toString());
      cells.add(String.join("; ", g.flags()));
      line(b, cells);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      // A name holding a right-to-left override would show backwards, as another name.
      String c = tlslab.common.Html.visibleDirectionControls(cells.get(i));
      if (i > 0) {
        b.append(',');
      }
      // A cell a spreadsheet would run as a formula (OWASP's CSV injection: =, +, -, @, a tab or
      // a carriage return first) gets a leading ' so that it shows as text. Student names, IDs
      // and answers come from the hand-ins.
      boolean formula = !c.isEmpty() && "=+-@\t\r".indexOf(c.charAt(0)) >= 0;
      if (c.matches("(?s).*[\",\\r\\n].*") || formula) {
        // Quote per RFC 4180.
        b.append('"').append((formula ? "'" : "") + c.replace("\"", "\"\"")).append('"');
      } else {
        b.append(c);
      }
    }
    b.append("\r\n");
  }
}
