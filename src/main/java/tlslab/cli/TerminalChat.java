package tlslab.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import tlslab.net.ChatClient;

/**
 * The interactive side of {@code lab client}: a tiny line editor, so that a message arriving while
 * the user types is printed above the line being typed instead of through it.
 *
 * <p>The terminal is switched to non-canonical mode without echo ({@code stty -icanon -echo}) so
 * that we see each key; we echo it ourselves and, when a message arrives, clear the input line,
 * print the message and redraw the prompt with what was typed so far. The terminal settings are
 * restored on exit, also on Ctrl-C (shutdown hook).
 */
final class TerminalChat {
  private static final String PROMPT = "> ";
  private static final String CLEAR_LINE = "\r\033[2K";

  private final PrintWriter out;
  private final StringBuilder typed = new StringBuilder();

  TerminalChat(PrintWriter out) {
    this.out = out;
  }

  /** Prints an incoming line above the input line. Called from the client's loop thread. */
  synchronized void show(String line) {
    out.print(CLEAR_LINE + line + "\r\n" + PROMPT + typed);
    out.flush();
  }

  /** Reads keys until /quit, Ctrl-D or Ctrl-C, or until the server closes the connection. */
  void run(ChatClient client) {
    String saved = stty("-g").trim();
    Thread restore = new Thread(() -> stty(saved), "restore-terminal");
    Runtime.getRuntime().addShutdownHook(restore);
    stty("-icanon -echo min 1");
    Thread reader = new Thread(() -> readKeys(client), "terminal-input");
    reader.setDaemon(true);
    reader.start();
    try {
      client.closedFuture().get();
      show("* disconnected");
    } catch (ExecutionException e) {
      show("! connection lost: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stty(saved);
      out.println();
      out.flush();
    }
  }

  private void readKeys(ChatClient client) {
    Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8);
    try {
      while (true) {
        int c = in.read();
        if (c < 0 || c == 3 || (c == 4 && typed.length() == 0)) { // EOF, Ctrl-C, Ctrl-D
          break;
        }
        if (c == '\r' || c == '\n') {
          String line;
          synchronized (this) {
            line = typed.toString();
            typed.setLength(0);
            out.print(CLEAR_LINE + "you: " + line + "\r\n" + PROMPT);
            out.flush();
          }
          client.send(line);
          if (line.trim().equalsIgnoreCase("/quit")) {
            return; // the server answers with close_notify
          }
        } else if (c == 127 || c == 8) {
          edit(
              () -> {
                if (typed.length() > 0) {
                  typed.setLength(typed.length() - 1);
                }
              });
        } else if (c == 21) { // Ctrl-U
          edit(() -> typed.setLength(0));
        } else if (c == 27) { // escape sequences (arrows): ignore "ESC [ x"
          if (in.read() == '[') {
            in.read();
          }
        } else if (c >= 32) {
          edit(() -> typed.append((char) c));
        }
      }
    } catch (IOException e) {
      // Terminal gone: leave.
    }
    client.closeAsync();
  }

  private synchronized void edit(Runnable change) {
    change.run();
    out.print(CLEAR_LINE + PROMPT + typed);
    out.flush();
  }

  private static String stty(String args) {
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty").start();
      String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return result;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
