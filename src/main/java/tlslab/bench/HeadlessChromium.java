package tlslab.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tlslab.common.LabException;

/**
 * Debian's headless Chromium, driven over the Chrome DevTools Protocol (a WebSocket, JSON messages:
 * the protocol Selenium and Puppeteer speak underneath). One browser process serves many pages,
 * each in its own tab, so tests and the HTML benchmark pay for the browser's start once.
 *
 * <p>For each page it records what a reviewer needs: every console message and uncaught exception,
 * every network request other than the page itself, and on request the DOM after the page's scripts
 * ran, a value computed in the page ({@code Runtime.evaluate}) and a PNG screenshot.
 *
 * <p>Uses only the JDK's WebSocket client and Gson (already a dependency): Selenium's Chrome driver
 * would add a dozen jars to answer the same dozen protocol calls.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<String, Tab> tabs = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, String url) {
    this.process = process;
    this.profile = profile;
    try {
      this.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(20))
              .buildAsync(URI.create(url), new Listener())
              .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted while connecting to Chromium");
    } catch (ExecutionException | TimeoutException e) {
      throw LabException.failed("could not connect to Chromium's DevTools at " + url + ": " + e);
    }
  }

  /** The Chromium executable: $CHROMIUM, else Debian's {@code chromium}. */
  public static String executable() {
    String env = System.getenv("CHROMIUM");
    return env != null && !env.isBlank() ? env : "chromium";
  }

  /** The flags every headless run here uses: no sandbox (root), no GPU, nothing fetched. */
  public static List<String> baseFlags(Path profile) {
    return List.of(
        executable(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
  }

  /** Starts Chromium and connects to it. */
  public static HeadlessChromium start() {
    Path profile;
    try {
      profile = Files.createTempDirectory("tlslab-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>(baseFlags(profile));
    cmd.addAll(List.of("--remote-debugging-port=0", "--window-size=1400,1000", "about:blank"));
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      deleteTree(profile);
      throw LabException.failed("could not start " + executable() + ": " + e.getMessage());
    }
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) url.complete(m.group(1));
                }
              } catch (IOException e) {
                // The process ended: the future below reports it.
              }
              url.complete(null);
            },
            "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    String ws;
    try {
      ws = url.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw LabException.failed("interrupted while starting Chromium");
    } catch (ExecutionException | TimeoutException e) {
      ws = null;
    }
    if (ws == null) {
      p.destroyForcibly();
      deleteTree(profile);
      throw LabException.failed(executable() + " did not open its DevTools port within 60 s");
    }
    return new HeadlessChromium(p, profile, ws);
  }

  /** One tab: a page loaded, its console and requests recorded. */
  public final class Tab implements AutoCloseable {
    private final String targetId;
    private final String session;
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();
    private volatile String url = "";

    private Tab(String targetId, String session) {
      this.targetId = targetId;
      this.session = session;
    }

    /**
     * Loads {@code url}, waits for its load event, and returns the milliseconds from sending the
     * navigation to that event, as measured here (the browser's own clock is in {@link #eval}).
     */
    public double load(String url) {
      this.url = url;
      loaded = new CompletableFuture<>();
      JsonObject p = new JsonObject();
      p.addProperty("url", url);
      long t0 = System.nanoTime();
      JsonObject r = call(session, "Page.navigate", p);
      if (r.has("errorText")) throw LabException.failed("Chromium: " + r.get("errorText"));
      await(loaded, "the load event of " + url);
      return (System.nanoTime() - t0) / 1e6;
    }

    /** Waits until {@code expression} is true in the page (polled every 20 ms, at most 60 s). */
    public void waitFor(String expression) {
      long end = System.nanoTime() + CALL_TIMEOUT.toNanos();
      while (!Boolean.TRUE.equals(evalBoolean(expression))) {
        if (System.nanoTime() > end)
          throw LabException.failed("timed out waiting for " + expression + " in " + url);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw LabException.failed("interrupted");
        }
      }
    }

    private Boolean evalBoolean(String expression) {
      JsonElement v = eval("!!(" + expression + ")");
      return v != null && v.isJsonPrimitive() && v.getAsBoolean();
    }

    /** Evaluates {@code expression} in the page and returns its value as JSON (null: undefined). */
    public JsonElement eval(String expression) {
      JsonObject p = new JsonObject();
      p.addProperty("expression", expression);
      p.addProperty("returnByValue", true);
      p.addProperty("awaitPromise", true);
      JsonObject r = call(session, "Runtime.evaluate", p);
      if (r.has("exceptionDetails"))
        throw LabException.failed(
            "script error in " + url + ": " + r.getAsJsonObject("exceptionDetails"));
      JsonObject result = r.getAsJsonObject("result");
      return result.has("value") ? result.get("value") : null;
    }

    /**
     * Presses and releases {@code key} as the keyboard would (Input.dispatchKeyEvent: trusted
     * events, default actions such as Tab moving the focus included): a DOM key value, "j", "Tab",
     * "Enter" or "Escape".
     */
    public void key(String key) {
      int code =
          switch (key) {
            case "Tab" -> 9;
            case "Enter" -> 13;
            case "Escape" -> 27;
            default -> key.length() == 1 ? Character.toUpperCase(key.charAt(0)) : 0;
          };
      for (String type : List.of("keyDown", "keyUp")) {
        JsonObject p = new JsonObject();
        p.addProperty("type", type);
        p.addProperty("key", key);
        p.addProperty("code", key.length() == 1 ? "Key" + key.toUpperCase(Locale.ROOT) : key);
        p.addProperty("windowsVirtualKeyCode", code);
        if (type.equals("keyDown") && (key.length() == 1 || key.equals("Enter")))
          p.addProperty("text", key.equals("Enter") ? "\r" : key);
        call(session, "Input.dispatchKeyEvent", p);
      }
    }

    /**
     * Emulates a CSS media feature, e.g. prefers-color-scheme: dark (Emulation.setEmulatedMedia).
     */
    public void emulateMedia(String feature, String value) {
      JsonObject f = new JsonObject();
      f.addProperty("name", feature);
      f.addProperty("value", value);
      com.google.gson.JsonArray a = new com.google.gson.JsonArray();
      a.add(f);
      JsonObject p = new JsonObject();
      p.add("features", a);
      call(session, "Emulation.setEmulatedMedia", p);
    }

    /**
     * The renderer's own counters for this tab (Performance.getMetrics): JSHeapUsedSize and
     * JSHeapTotalSize in bytes, Nodes, LayoutCount, ScriptDuration in seconds, and more.
     */
    public Map<String, Double> metrics() {
      call(session, "Performance.enable", new JsonObject());
      JsonObject r = call(session, "Performance.getMetrics", new JsonObject());
      Map<String, Double> m = new java.util.LinkedHashMap<>();
      r.getAsJsonArray("metrics")
          .forEach(
              e ->
                  m.put(
                      e.getAsJsonObject().get("name").getAsString(),
                      e.getAsJsonObject().get("value").getAsDouble()));
      return m;
    }

    /** The page's DOM as HTML, after its scripts ran. */
    public String dom() {
      return eval("document.documentElement.outerHTML").getAsString();
    }

    /** Saves a PNG of the whole page (up to 8000 px high) to {@code file}. */
    public void screenshot(Path file) {
      JsonObject p = new JsonObject();
      p.addProperty("format", "png");
      p.addProperty("captureBeyondViewport", true);
      JsonElement h = eval("Math.min(8000, document.documentElement.scrollHeight)");
      JsonObject clip = new JsonObject();
      clip.addProperty("x", 0);
      clip.addProperty("y", 0);
      clip.addProperty("width", 1400);
      clip.addProperty("height", h == null ? 1000 : Math.max(200, h.getAsInt()));
      clip.addProperty("scale", 1);
      p.add("clip", clip);
      JsonObject r = call(session, "Page.captureScreenshot", p);
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").getAsString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Console messages, uncaught exceptions and CSP reports since the tab opened. */
    public List<String> console() {
      synchronized (console) {
        return List.copyOf(console);
      }
    }

    /** URLs the page requested, other than the page itself. */
    public List<String> requests() {
      synchronized (requests) {
        return List.copyOf(requests);
      }
    }

    void event(String method, JsonObject params) {
      switch (method) {
        case "Page.loadEventFired" -> loaded.complete(null);
        case "Runtime.consoleAPICalled" ->
            console.add(params.get("type").getAsString() + ": " + params.get("args"));
        case "Runtime.exceptionThrown" ->
            console.add("exception: " + params.get("exceptionDetails"));
        case "Log.entryAdded" -> {
          JsonObject e = params.getAsJsonObject("entry");
          console.add(e.get("level").getAsString() + ": " + e.get("text").getAsString());
        }
        case "Network.requestWillBeSent" -> {
          String u = params.getAsJsonObject("request").get("url").getAsString();
          if (!u.equals(url) && !u.equals(url.replaceFirst("#.*", ""))) requests.add(u);
        }
        default -> {}
      }
    }

    @Override
    public void close() {
      tabs.remove(session);
      JsonObject p = new JsonObject();
      p.addProperty("targetId", targetId);
      call(null, "Target.closeTarget", p);
    }
  }

  /** Opens a blank tab, 1400×1000, with console, log, page and network events on. */
  public Tab open() {
    JsonObject p = new JsonObject();
    p.addProperty("url", "about:blank");
    String target = call(null, "Target.createTarget", p).get("targetId").getAsString();
    JsonObject a = new JsonObject();
    a.addProperty("targetId", target);
    a.addProperty("flatten", true);
    String session = call(null, "Target.attachToTarget", a).get("sessionId").getAsString();
    Tab tab = new Tab(target, session);
    tabs.put(session, tab);
    for (String domain : List.of("Page", "Runtime", "Log", "Network"))
      call(session, domain + ".enable", new JsonObject());
    JsonObject size = new JsonObject();
    size.addProperty("width", 1400);
    size.addProperty("height", 1000);
    size.addProperty("deviceScaleFactor", 1);
    size.addProperty("mobile", false);
    call(session, "Emulation.setDeviceMetricsOverride", size);
    return tab;
  }

  private JsonObject call(String session, String method, JsonObject params) {
    int id = ids.incrementAndGet();
    JsonObject msg = new JsonObject();
    msg.addProperty("id", id);
    msg.addProperty("method", method);
    msg.add("params", params);
    if (session != null) msg.addProperty("sessionId", session);
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    pending.put(id, f);
    synchronized (socket) {
      await(socket.sendText(msg.toString(), true), method);
    }
    JsonObject r = await(f, method);
    if (r.has("error")) throw LabException.failed("Chromium: " + method + ": " + r.get("error"));
    return r.has("result") ? r.getAsJsonObject("result") : new JsonObject();
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LabException.failed("interrupted waiting for " + what);
    } catch (ExecutionException e) {
      throw LabException.failed("Chromium: " + what + ": " + e.getCause());
    } catch (TimeoutException e) {
      throw LabException.failed("Chromium did not answer " + what + " within 60 s");
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonObject m = JsonParser.parseString(text.toString()).getAsJsonObject();
        text.setLength(0);
        if (m.has("id")) {
          CompletableFuture<JsonObject> f = pending.remove(m.get("id").getAsInt());
          if (f != null) f.complete(m);
        } else if (m.has("method") && m.has("sessionId")) {
          Tab t = tabs.get(m.get("sessionId").getAsString());
          if (t != null)
            t.event(
                m.get("method").getAsString(),
                m.has("params") ? m.getAsJsonObject("params") : new JsonObject());
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      pending
          .values()
          .forEach(f -> f.completeExceptionally(new IOException("DevTools closed: " + reason)));
      return null;
    }
  }

  /** Whether Chromium can be started here (for tests that say why they skip). */
  public static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
      if (Files.isExecutable(Path.of(dir, executable()))) return true;
    return Files.isExecutable(Path.of(executable()));
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // The browser is going away regardless.
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(profile);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> w = Files.walk(dir)) {
      w.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      // A temporary profile left behind is harmless; nothing to report.
    }
  }
}
