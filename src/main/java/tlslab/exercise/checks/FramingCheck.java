package tlslab.exercise.checks;

import tlslab.exercise.Answers;
import tlslab.exercise.Checker;
import tlslab.exercise.Report;
import tlslab.exercise.Workspace;

/** Exercise 10: the report's receive loop and pickle framing. Answers only. */
public final class FramingCheck implements Checker {
  @Override
  public Report check(Workspace ws) {
    Answers a = ws.answers("10.txt");
    Report r = new Report();
    if (!a.exists()) {
      return r.fail("answers file", "write " + a.file() + " with the keys listed in the exercise");
    }
    String loop = a.lower("loop-bug");
    r.expect(
        loop.contains("+=")
            && (loop.contains("overwrit")
                || loop.contains("replac")
                || loop.contains("append")
                || loop.contains("discard")
                || loop.contains("lost")
                || loop.contains("lose")),
        "loop-bug names the overwrite and the fix",
        "look at what `buf = channel.recv(...)` does to the bytes already received, and which"
            + " operator keeps them");
    String pickle = a.lower("pickle-risk");
    r.expect(
        (pickle.contains("code") || pickle.contains("command") || pickle.contains("__reduce__"))
            && (pickle.contains("execut")
                || pickle.contains("run")
                || pickle.contains("__reduce__")),
        "pickle-risk names arbitrary code execution",
        "what does unpickling do with an object whose __reduce__ returns (os.system, ('...',))?");
    String length = a.lower("length-risk");
    r.expect(
        length.contains("memory")
            || length.contains("block")
            || length.contains("hang")
            || length.contains("wait")
            || length.contains("dos")
            || length.contains("denial"),
        "length-risk names memory exhaustion or blocking",
        "the loop trusts the announced size: what happens at 4 GiB, or when the bytes never come?");
    String framing = a.lower("lab-framing");
    r.expect(
        (framing.contains("line") || framing.contains("newline") || framing.contains("\\n"))
            && (framing.contains("max") || framing.contains("limit") || framing.contains("length")),
        "lab-framing names line framing and its maximum length",
        "read docs/PROTOCOL.md: how is a message delimited, and what happens to a line that is too"
            + " long?");
    return r;
  }
}
