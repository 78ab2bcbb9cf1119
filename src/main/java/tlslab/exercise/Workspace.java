package tlslab.exercise;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a student's evidence lives: {@code certs/} (their own CA and server certificate), {@code
 * captures/}, {@code traces/}, {@code answers/}, and in class {@code bundle/} (the personal bundle
 * from the instructor's {@code lab certs class}).
 *
 * @param dir the work folder, {@code work/} by default
 * @param student the student's name or ID when checking in class, so checks demand their bundle
 * @param klass the instructor's class record when grading: identity is then proven against it
 */
public record Workspace(Path dir, Optional<String> student, Optional<ClassRecord> klass) {
  /** A student's own check, without the instructor's class record. */
  public Workspace(Path dir, Optional<String> student) {
    this(dir, student, Optional.empty());
  }

  public Path certs() {
    return dir.resolve("certs");
  }

  public Path capture(String name) {
    return dir.resolve("captures").resolve(name);
  }

  public Path trace(String name) {
    return dir.resolve("traces").resolve(name);
  }

  public Answers answers(String name) {
    return Answers.read(dir.resolve("answers").resolve(name));
  }

  public Path bundle() {
    return dir.resolve("bundle");
  }

  /** Who did this work, and how sure the lab is of it (resolved on each call; cheap). */
  public Identity identity() {
    return Identity.of(this);
  }

  /** A path relative to the working directory, for hints. */
  public String show(Path p) {
    return p.toString();
  }
}
