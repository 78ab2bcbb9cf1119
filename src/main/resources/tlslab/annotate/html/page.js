"use strict";
(function () {
  var errors = 0;
  window.addEventListener("error", function () { errors++; document.body.dataset.errors = errors; });
  document.addEventListener("securitypolicyviolation", function () {
    errors++; document.body.dataset.errors = errors;
  });
  performance.mark("tlslab-script-start");
  var model = JSON.parse(document.getElementById("model").textContent);
  performance.mark("tlslab-model-parsed");
  var CHUNK = 400;
  var byId = {};
  var order = [];
  var selected = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  var RFC = /RFC ?(\d{3,5})(?:,? ?(?:§|[Ss]ection)? ?(\d+(?:\.\d+)*))?/g;
  function linked(text, parent) {
    var last = 0, m;
    RFC.lastIndex = 0;
    while ((m = RFC.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", "rfc", m[0]);
      a.href = "https://www.rfc-editor.org/rfc/rfc" + m[1] + (m[2] ? "#section-" + m[2] : "");
      a.rel = "noreferrer";
      parent.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  function kindClass(msg, rec, conn) {
    var c = ["arrow", msg.sender === "client" ? "c2s" : "s2c", "k-" + msg.kind.toLowerCase()];
    if (msg.kind === "ENCRYPTED_HANDSHAKE" || msg.kind === "ENCRYPTED_ALERT" ||
        (msg.kind === "APPLICATION_DATA" && !rec.decrypted)) c.push("encrypted");
    if (msg.kind === "ALERT" || msg.kind === "ENCRYPTED_ALERT") c.push("alert");
    if (msg.kind === "HANDSHAKE" && msg.handshakeType === 2 && conn && conn.hrr &&
        msg.label.indexOf("Retry") >= 0) c.push("hrr");
    if (conn && conn.resumed && msg.kind === "HANDSHAKE") c.push("resumed");
    if (rec.decrypted) c.push("decrypted");
    return c.join(" ");
  }

  var trace = model.trace || null;
  var traceConn = trace ? trace.conn : null;
  var stepsByFrame = {};
  if (trace) trace.steps.forEach(function (t) {
    if (t.frame > 0) (stepsByFrame[t.frame] = stepsByFrame[t.frame] || []).push(t);
  });

  var conns = {};
  var othersList = null;
  // Printing shows everything: every connection's every frame, and every frame without TLS,
  // whatever scrolling has not drawn yet.
  function drawAll() {
    Object.keys(conns).forEach(function (k) { if (conns[k].draw) conns[k].draw(); });
    if (othersList) othersList.all();
  }
  window.addEventListener("beforeprint", drawAll);
  model.connections.forEach(function (c) { conns[c.index] = { info: c, frames: [], pos: {} }; });
  /** Resolves a frame's string-table indexes (labels, notes, field names and values). */
  function resolve(f, S) {
    f.records.forEach(function (r) {
      r.messages.forEach(function (m) {
        m.label = S[m.label]; m.kind = S[m.kind]; m.note = S[m.note];
        m.fields = m.fields.map(function (a) {
          return { name: S[a[0]], value: S[a[1]], offset: a[2], length: a[3] };
        });
      });
    });
    return f;
  }

  function index(f) {
    if (!conns[f.conn]) conns[f.conn] = { info: null, frames: [], pos: {} };
    conns[f.conn].pos[f.no] = conns[f.conn].frames.length;
    conns[f.conn].frames.push(f);
    var k = 0;
    f.records.forEach(function (r, ri) {
      r.messages.forEach(function (m) {
        var id = f.no + "." + k++;
        byId[id] = { frame: f, record: r, msg: m, id: id, conn: f.conn };
        order.push(id);
      });
    });
  }
  model.frames.forEach(function (f) { index(resolve(f, model.strings)); });

  function frameButton(no) {
    var b = el("button", "goto", "frame " + no);
    b.type = "button";
    b.dataset.frame = no;
    return b;
  }

  /** The report's corrections said in this connection's notes, each with its frame. */
  function corrections(entry) {
    var items = [];
    entry.frames.forEach(function (f) {
      var k = 0;
      f.records.forEach(function (r) {
        r.messages.forEach(function (m) {
          var id = f.no + "." + k++;
          (m.corrections || []).forEach(function (c) { items.push({ c: c, f: f, id: id, m: m }); });
        });
      });
    });
    if (!items.length) return null;
    var box = el("div", "corrections");
    box.appendChild(el("h3", null, "The report, checked against this connection"));
    var ul = el("ul", "verdicts");
    items.forEach(function (it) {
      var li = el("li", it.c.confirms ? "right" : "wrong");
      li.dataset.frame = it.f.no;
      li.dataset.id = it.id;
      li.appendChild(el("span", "mark", it.c.confirms ? "✔" : "✘"));
      var b = frameButton(it.f.no);
      b.dataset.id = it.id;
      b.textContent = "frame " + it.f.no + ": " + it.m.label;
      li.appendChild(b);
      li.appendChild(linked(" " + it.c.text, el("span", "vtext")));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  function summary(c) {
    var dl = el("dl", "summary");
    function row(k, v) { dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); }
    row("Version", c.negotiated ? c.version : "no Server Hello seen");
    row("Cipher suite", c.suite || "—");
    // An abbreviated TLS 1.2 handshake has no key exchange of its own: the suite's names the
    // earlier session's, which alone decides forward secrecy.
    row("Key exchange", c.abbreviated ?
        "none in this abbreviated handshake (it reuses an earlier session's master secret)" :
        c.keyExchangeLabel);
    // UNKNOWN: no key was agreed (no Server Hello, or only a Hello Retry Request) or an unknown
    // suite: forward secrecy is not known, neither yes nor NO.
    var agreed = c.negotiated && c.keyExchange !== "UNKNOWN";
    row("Forward secrecy", c.abbreviated ? "as the earlier session's key exchange" :
        agreed ? (c.forwardSecret ?
        (c.earlyData ? "yes, except the client's 0-RTT early data" : "yes") : "NO") : "—");
    row("Handshake", c.modeLabel + (c.hrr ? ", after a Hello Retry Request" : "") +
        (c.negotiated && !c.handshakeFinished ? ", not seen to complete" : ""));
    row("Resumption", c.mode === "UNKNOWN" ? "—" : c.resumed ? "resumed" : "full handshake");
    row("Client auth", c.clientAuthRequested ?
        "requested" + (c.clientCertificateSent ? ", certificate sent" : ", no certificate sent") :
        "not requested");
    row("ALPN", (c.alpnOffered.length ? "offered " + c.alpnOffered.join(", ") : "none offered") +
        (c.alpnChosen ? "; chose " + c.alpnChosen : ""));
    row("Server certificates", c.serverCertificates.length ? c.serverCertificates.join(" ← ") :
        "none seen");
    if (c.clientCertificates.length) row("Client certificates", c.clientCertificates.join(" ← "));
    if (c.alerts.length) row("Alerts", c.alerts.map(function (a) {
      return a.sender + " " + a.name + " (frame " + a.frame + ")"; }).join("; "));
    if (c.decryption) row("Decryption", c.decryption);
    var box = el("div", "facts");
    box.appendChild(dl);
    if (c.facts.length) {
      var det = el("details", "notes");
      // Open: these are the text view's own lines for this connection, word for word.
      det.open = true;
      det.appendChild(el("summary", null, "What the lab says about this connection"));
      var ul = el("ul", "notes");
      c.facts.forEach(function (t) { ul.appendChild(linked(t, el("li"))); });
      det.appendChild(ul);
      box.appendChild(det);
    }
    c.problems.forEach(function (p) { box.appendChild(el("p", "problem", p)); });
    return box;
  }

  function frameNode(f, conn) {
    var d = el("div", "frame" + (f.records.length + (f.problems.length ? 1 : 0) > 1 ? " group" : ""));
    d.dataset.frame = f.no;
    var meta = el("div", "meta");
    meta.appendChild(el("span", "no", f.no));
    meta.appendChild(el("span", "time", f.time.toFixed(6)));
    d.appendChild(meta);
    var body = el("div", "msgs");
    var k = 0;
    f.records.forEach(function (r) {
      r.messages.forEach(function (m) {
        var id = f.no + "." + k++;
        var b = el("button", kindClass(m, r, conn));
        b.type = "button";
        b.dataset.id = id;
        b.appendChild(el("span", "label", m.label));
        b.appendChild(el("span", "line"));
        b.title = m.sender + " → " + (m.sender === "client" ? "server" : "client") + ": " + m.label;
        body.appendChild(b);
      });
    });
    // A TLS frame that completed no message ("[TLS segment of a reassembled PDU]"): its Info.
    if (f.info) body.appendChild(el("div", "finfo", f.info));
    (f.notes || []).forEach(function (n) { body.appendChild(linked(n, el("div", "fnote"))); });
    f.problems.forEach(function (p) { body.appendChild(el("div", "tcp problem", p)); });
    (f.tcp || []).forEach(function (t) { body.appendChild(el("div", "tcp event", "TCP: " + t)); });
    // Lost segments, retransmissions and other TCP problems mark the whole frame row.
    if (f.problems.length || (f.tcp && f.tcp.length)) d.classList.add("lossy");
    d.appendChild(body);
    if (traceConn !== null && f.conn === traceConn) {
      d.classList.add("traced");
      var j = el("div", "jsse");
      (stepsByFrame[f.no] || []).forEach(function (t) {
        j.appendChild(el("span", "step " + (t.fromServer ? "s2c" : "c2s"),
            (t.sent ? "→ " : "← ") + t.message));
      });
      d.appendChild(j);
    }
    return d;
  }

  function ladder(entry, eager) {
    var c = entry.info;
    var sec = el("section", "conn");
    sec.id = "conn-" + (c ? c.index : entry.frames[0].conn);
    var h = el("h2", null, "Connection " + (c ? c.index : "?"));
    if (c && c.resumed) h.appendChild(el("span", "badge resumed", "resumed"));
    if (c && c.hrr) h.appendChild(el("span", "badge hrr", "Hello Retry Request"));
    if (c && c.alerts.length) h.appendChild(el("span", "badge alert", "alert"));
    sec.appendChild(h);
    var lazy = !eager && "IntersectionObserver" in window;
    var filled = false, hint = null, lo = null, chunks = null;
    function go() {
      if (filled) return;
      filled = true;
      if (lo) lo.disconnect();
      if (hint) hint.remove();
      sec.classList.remove("lazy");
      fill();
    }
    /** Draws the ladder up to frame {@code no} (all of it without one): selection, printing. */
    entry.draw = function (no) {
      go();
      if (no === undefined) chunks.all();
      else if (entry.pos[no] !== undefined) chunks.upTo(entry.pos[no]);
    };
    if (lazy) {
      // Only the heading until it comes near the viewport: a capture's hundreds of connections
      // cost a few elements each until then.
      sec.classList.add("lazy");
      hint = el("p", "hint", entry.frames.length + " frames: drawn when scrolled to.");
      sec.appendChild(hint);
      lo = new IntersectionObserver(function (es) { if (es[0].isIntersecting) go(); },
          { rootMargin: "600px" });
      lo.observe(sec);
    } else go();
    return sec;

    function fill() {
    if (c) sec.appendChild(summary(c));
    var corr = corrections(entry);
    if (corr) sec.appendChild(corr);
    var cols = el("div", "cols");
    var cl = el("div", "col client");
    cl.appendChild(el("b", null, "client"));
    cl.appendChild(el("span", null, c ? c.client : ""));
    var sv = el("div", "col server");
    sv.appendChild(el("b", null, "server"));
    sv.appendChild(el("span", null, c ? c.server : ""));
    if (c && c.sni) sv.appendChild(el("span", "sni", "SNI " + c.sni));
    if (c && !c.rolesKnown) cols.appendChild(el("p", "problem",
        "No Client Hello seen: the first sender is shown as the client."));
    cols.appendChild(cl); cols.appendChild(el("div", "col mid")); cols.appendChild(sv);
    sec.appendChild(cols);
    var list = el("div", "ladder");
    sec.appendChild(list);
    chunks = chunked(list, sec, entry.frames, function (f) { return frameNode(f, c); });
    }
  }

  /**
   * Appends render(item) to list for items in chunks of CHUNK, the next chunk when its button
   * (appended to holder) is clicked or scrolled to; upTo(i) draws at least items[0..i] at once,
   * all() draws every item.
   */
  function chunked(list, holder, items, render) {
    var done = 0, button = null, io = null;
    function draw(end) {
      if (button) { button.remove(); button = null; }
      if (io) { io.disconnect(); io = null; }
      end = Math.min(items.length, end);
      var frag = document.createDocumentFragment();
      for (; done < end; done++) frag.appendChild(render(items[done]));
      list.appendChild(frag);
      if (done < items.length) {
        button = el("button", "more", "show more frames (" + (items.length - done) + " left)");
        button.type = "button";
        button.addEventListener("click", function () { draw(done + CHUNK); });
        holder.appendChild(button);
        if ("IntersectionObserver" in window) {
          io = new IntersectionObserver(function (es) {
            if (es[0].isIntersecting) draw(done + CHUNK);
          });
          io.observe(button);
        }
      }
    }
    draw(CHUNK);
    return {
      upTo: function (i) { if (i >= done) draw(i + 1); },
      all: function () { draw(items.length); }
    };
  }

  /** A frame drawn in no ladder, as the text view lists it: columns, notes, payloads, problems. */
  function otherRow(S) {
    return function (f) {
      var tr = el("tr", "other" + (f.problems ? " lossy" : ""));
      tr.dataset.frame = f.no;
      tr.appendChild(el("td", "no", f.no));
      tr.appendChild(el("td", "time", f.time.toFixed(6)));
      tr.appendChild(el("td", "addr", S[f.src] + " → " + S[f.dst]));
      tr.appendChild(el("td", "proto", S[f.proto]));
      tr.appendChild(el("td", "len", f.length));
      var td = el("td", "info");
      td.appendChild(el("div", "finfo", f.info));
      (f.notes || []).forEach(function (n) { td.appendChild(linked(n, el("div", "fnote"))); });
      (f.payloads || []).forEach(function (p) { td.appendChild(payload(p)); });
      (f.problems || []).forEach(function (p) { td.appendChild(el("div", "problem", p)); });
      tr.appendChild(td);
      return tr;
    };
  }

  /** Decrypted data as the text view shows it: who sent it, how it was read, its lines. */
  function payload(p) {
    var pre = el("pre", "payload", "decrypted (" + p.sender + ", " + p.kind + ")" +
        (p.lines.length ? "\n" + p.lines.join("\n") : ""));
    pre.title = p.length + " bytes";
    return pre;
  }

  function othersSection(others, S) {
    var sec = el("section", "others");
    sec.id = "others";
    sec.appendChild(el("h2", null, "Frames without TLS (" + others.length + ")"));
    sec.appendChild(el("p", "hint", "TCP set-up and acknowledgements, and other protocols (DNS," +
        " QUIC...): not drawn in a ladder, listed here as the text view lists them."));
    var t = el("table", "others");
    var hr = el("tr");
    ["no", "time", "source → destination", "protocol", "length", "info"].forEach(function (h) {
      hr.appendChild(el("th", null, h));
    });
    var head = el("thead");
    head.appendChild(hr);
    t.appendChild(head);
    var body = el("tbody");
    t.appendChild(body);
    sec.appendChild(t);
    othersList = chunked(body, sec, others, otherRow(S));
    return sec;
  }

  function quicSection(q) {
    var sec = el("section", "quic");
    sec.id = "quic-" + q.index;
    sec.appendChild(el("h2", null, "QUIC connection " + q.index));
    sec.appendChild(el("p", "endpoints", "client " + q.client + ", server " + q.server));
    var ul = el("ul", "notes");
    q.facts.forEach(function (t) { ul.appendChild(linked(t, el("li"))); });
    sec.appendChild(ul);
    return sec;
  }

  function hex(b) { return (b < 16 ? "0" : "") + b.toString(16); }

  function nest(fields, base) {
    var list = fields.map(function (f, i) {
      return { f: f, start: base + f.offset, end: base + f.offset + f.length, kids: [], i: i };
    });
    list.sort(function (a, b) { return a.start - b.start || b.end - a.end || a.i - b.i; });
    var roots = [], stack = [];
    list.forEach(function (n) {
      while (stack.length && !(n.start >= stack[stack.length - 1].start &&
          n.end <= stack[stack.length - 1].end)) stack.pop();
      (stack.length ? stack[stack.length - 1].kids : roots).push(n);
      stack.push(n);
    });
    return roots;
  }

  function show(id) {
    var e = byId[id];
    if (!e) return;
    // The keyboard, a link or #select may reach a message not drawn yet: draw its ladder that far.
    if (conns[e.conn] && conns[e.conn].draw) conns[e.conn].draw(e.frame.no);
    if (selected) {
      var old = document.querySelector('.arrow[data-id="' + selected + '"]');
      if (old) old.classList.remove("sel");
    }
    selected = id;
    var btn = document.querySelector('.arrow[data-id="' + id + '"]');
    if (btn) btn.classList.add("sel");
    var v = document.getElementById("view");
    v.textContent = "";
    v.dataset.id = id;
    var m = e.msg, f = e.frame, r = e.record;
    v.appendChild(el("h2", null, m.label));
    v.appendChild(el("p", "where", "Frame " + f.no + ", " + f.time.toFixed(6) + " s, " + m.sender +
        " → " + (m.sender === "client" ? "server" : "client") +
        (r.decrypted ? ", decrypted with the given keys" : "")));
    if (m.note) v.appendChild(linked(m.note, el("p", "note")));
    var raw = atob(f.bytes);
    var n = raw.length;
    function byte(o) { return raw.charCodeAt(o); }
    var inFrame = m.range.in === "frame";
    var roots = nest(m.fields, inFrame ? m.range.offset : 0);
    var tree = el("ul", "fields");
    var colour = 0;
    var owner = {};
    function walk(nodes, ul, depth, col) {
      nodes.forEach(function (nd) {
        var c = depth === 0 ? (colour++ % 6) : col;
        var li = el("li", "f c" + c);
        li.tabIndex = 0;
        li.appendChild(el("span", "fname", nd.f.name));
        li.appendChild(el("span", "fval", nd.f.value));
        li.appendChild(el("span", "frange", inFrame ? "bytes " + nd.start + "–" + (nd.end - 1) :
            "offset " + nd.f.offset + ", " + nd.f.length + " bytes"));
        li.dataset.start = nd.start; li.dataset.end = nd.end;
        for (var o = nd.start; o < nd.end; o++) owner[o] = { name: nd.f.name, c: c };
        li.addEventListener("mouseenter", focus); li.addEventListener("focus", focus);
        ul.appendChild(li);
        if (nd.kids.length) { var sub = el("ul", "fields"); li.appendChild(sub); walk(nd.kids, sub, depth + 1, c); }
      });
    }
    walk(roots, tree, 0, 0);
    if (r.range.in === "frame") {
      var rh = el("li", "f rh");
      rh.appendChild(el("span", "fname", "record header"));
      rh.appendChild(el("span", "frange", "bytes " + r.range.offset + "–" + (r.range.offset + 4)));
      var rs2 = el("ul", "fields");
      // The header as it crossed the wire, read from the frame's bytes: a decrypted TLS 1.3
      // record says 23 (application_data) outside whatever type it carries inside (RFC 8446 5.2).
      var fb = atob(f.bytes), ro = r.range.offset;
      function wb(o) { return o < fb.length ? fb.charCodeAt(o) : 0; }
      var wireType = wb(ro);
      [["content_type", 1, String(wireType) + (r.decrypted && wireType !== r.contentType ?
        " (inner type " + r.contentType + ", decrypted)" : "")], ["legacy_record_version", 2,
        "0x" + ("000" + ((wb(ro + 1) << 8) | wb(ro + 2)).toString(16)).slice(-4)], ["length", 2,
        String((wb(ro + 3) << 8) | wb(ro + 4))]].reduce(function (o, d) {
        var li = el("li", "f rh");
        li.appendChild(el("span", "fname", d[0]));
        li.appendChild(el("span", "fval", d[2]));
        li.appendChild(el("span", "frange", "bytes " + o + "–" + (o + d[1] - 1)));
        rs2.appendChild(li);
        return o + d[1];
      }, r.range.offset);
      rh.appendChild(rs2);
      tree.insertBefore(rh, tree.firstChild);
    }
    if (!m.fields.length) v.appendChild(el("p", "hint", "No fields: " +
        (m.kind === "HANDSHAKE" ? "not parsed." : "the content is " +
        (r.decrypted ? "shown below." : "encrypted; give the key log to see it."))));
    // A message reassembled from several segments or records, or decrypted, brings its own bytes:
    // offsets then count from its first byte, as its fields' offsets do.
    var own = !inFrame && !!m.bytes;
    if (own) { raw = atob(m.bytes); n = raw.length; }
    if (inFrame || own) {
      var rs = 0, re = n;
      if (inFrame) {
        rs = r.range.in === "frame" ? r.range.offset : m.range.offset;
        re = Math.max(r.range.in === "frame" ? r.range.offset + r.range.length : 0,
            m.range.offset + m.range.length);
        if (rs > m.range.offset) rs = m.range.offset;
        rs = Math.max(0, Math.min(rs, n)); re = Math.max(rs, Math.min(re, n));
      }
      var dump = el("div", "dump");
      dump.setAttribute("role", "table");
      for (var line = rs - (rs % 16); line < re; line += 16) {
        var row = el("div", "hexrow");
        row.appendChild(el("span", "off", ("000" + line.toString(16)).slice(-4)));
        var hx = el("span", "hex"), asc = el("span", "ascii");
        for (var o = line; o < line + 16; o++) {
          var inRange = o >= rs && o < re;
          var b = inRange ? byte(o) : -1;
          var hsp = el("span", "b", inRange ? hex(b) : "  ");
          var asp = el("span", "a", inRange ? (b >= 32 && b < 127 ? String.fromCharCode(b) : ".") : " ");
          if (inRange) {
            hsp.dataset.o = o;
            asp.dataset.o = o;
            if (inFrame && r.range.in === "frame" && o >= r.range.offset && o < r.range.offset + 5)
              hsp.classList.add("rechdr");
            if (!inFrame || (o >= m.range.offset && o < m.range.offset + m.range.length))
              hsp.classList.add("inmsg");
            var w = owner[o];
            if (w) { hsp.classList.add("hl", "c" + w.c); asp.classList.add("hl", "c" + w.c); hsp.title = w.name; }
          }
          hx.appendChild(hsp); asc.appendChild(asp);
        }
        row.appendChild(hx); row.appendChild(asc);
        dump.appendChild(row);
      }
      var legend = el("p", "hint", inFrame ? "Bytes " + rs + "–" + (re - 1) + " of frame " + f.no +
          ": the record (its 5-byte header underlined) and this message; coloured bytes are its fields." :
          "This message's " + n + " bytes, " + (m.range.in === "decrypted" ?
          "decrypted from its record with the given keys" : m.range.in === "stream" ?
          "reassembled from several TCP segments (stream offset " + m.range.offset + ")" :
          "reassembled from several records") + "; offsets count from its first byte, coloured bytes are its fields.");
      dump.dataset.space = inFrame ? "frame" : m.range.in;
      v.appendChild(legend);
      v.appendChild(dump);
    } else {
      v.appendChild(el("p", "hint", "This message's bytes lie in the " + m.range.in +
          " space (offset " + m.range.offset + ", " + m.range.length +
          " bytes): reassembled from several segments or decrypted, so they are not in this frame's bytes. Field offsets count from the message's start."));
    }
    v.appendChild(tree);
    if (f.payloads.length) {
      v.appendChild(el("h3", null, "Decrypted in this frame"));
      f.payloads.forEach(function (p) { v.appendChild(payload(p)); });
    }
    f.problems.forEach(function (p) { v.appendChild(el("p", "problem", p)); });
    function focus(ev) {
      var li = ev.currentTarget, s = +li.dataset.start, t = +li.dataset.end;
      v.querySelectorAll(".focus").forEach(function (x) { x.classList.remove("focus"); });
      for (var o = s; o < t; o++)
        v.querySelectorAll('[data-o="' + o + '"]').forEach(function (x) { x.classList.add("focus"); });
    }
  }

  function traceSection() {
    var sec = el("section", "trace");
    sec.id = "trace";
    sec.appendChild(el("h2", null, trace.title));
    sec.appendChild(el("p", "hint", "Each message as JSSE logged it (→ sent, ← received), beside" +
        " the frame that carried it and Wireshark's label there; the ladder of connection " +
        trace.conn + " shows the same beside each frame."));
    var t = el("table", "trace");
    var hr = el("tr");
    ["frame", "JSSE", "Wireshark", "details"].forEach(function (h) { hr.appendChild(el("th", null, h)); });
    t.appendChild(hr);
    trace.steps.forEach(function (s) {
      var tr = el("tr", "step " + (s.fromServer ? "s2c" : "c2s"));
      tr.dataset.frame = s.frame;
      var td = el("td");
      if (s.frame > 0) td.appendChild(frameButton(s.frame)); else td.textContent = "-";
      tr.appendChild(td);
      tr.appendChild(el("td", "jmsg", (s.sent ? "→ " : "← ") + s.message));
      tr.appendChild(el("td", "wire", s.wire));
      tr.appendChild(el("td", "details", s.details));
      t.appendChild(tr);
    });
    sec.appendChild(t);
    return sec;
  }

  function verdictSection() {
    var sec = el("section", "verdicts");
    sec.id = "verdicts";
    sec.appendChild(el("h2", null, "The report, checked against this capture"));
    var ul = el("ul", "verdicts");
    model.verdicts.forEach(function (v) {
      var li = el("li", v.right ? "right" : "wrong");
      li.appendChild(el("span", "mark", v.right ? "✔" : "✘"));
      li.appendChild(linked(v.text, el("span", "vtext")));
      v.frames.forEach(function (no) { li.appendChild(frameButton(no)); });
      ul.appendChild(li);
    });
    sec.appendChild(ul);
    return sec;
  }

  if (model.title) document.querySelector("h1").textContent = model.title;
  document.getElementById("file").textContent = model.file + " · " + model.totalFrames +
      " frames: " + model.frameCount + " drawn in the ladders of " + model.connections.length +
      " TLS connections (frames with TLS, or with TCP problems), " + model.otherCount +
      " listed under \u201cFrames without TLS\u201d" +
      (model.quic.length ? " · " + model.quic.length + " QUIC connections" : "");
  if (model.fileProblem) document.querySelector("header").appendChild(el("p", "problem", model.fileProblem));
  var root = document.getElementById("conns");
  if (trace) root.appendChild(traceSection());
  if (model.verdicts) root.appendChild(verdictSection());
  // Phase 1, while the parser has read only the first connection's frames: draw its ladder now.
  var drawnKeys = {};
  var firstKey = model.frames.length ? model.frames[0].conn : null;
  if (firstKey !== null) {
    root.appendChild(ladder(conns[firstKey], true));
    drawnKeys[firstKey] = true;
  }
  // Navigation start -> the first connection's ladder is in the DOM; the next mark is set once a
  // frame with it has been painted.
  performance.mark("tlslab-first-connection");
  requestAnimationFrame(function () {
    setTimeout(function () {
      performance.mark("tlslab-first-connection-painted");
      document.body.dataset.painted = "1";
    }, 0);
  });

  // Phase 2, once the parser has read the rest: every other connection, the first few (up to
  // EAGER_FRAMES frames in all) drawn at once, the others when scrolled to.
  var EAGER = 8, EAGER_FRAMES = 1500;
  function rest() {
    var restEl = document.getElementById("model-rest");
    if (restEl) {
      var more = JSON.parse(restEl.textContent);
      more.frames.forEach(function (f) { index(resolve(f, more.strings)); });
    }
    order.sort(function (a, b) {
      var x = a.split("."), y = b.split(".");
      return (+x[0] - +y[0]) || (+x[1] - +y[1]);
    });
    var drawn = firstKey !== null ? 1 : 0, frames = firstKey !== null ? conns[firstKey].frames.length : 0;
    var frag = document.createDocumentFragment();
    Object.keys(conns).map(Number).sort(function (a, b) { return a - b; }).forEach(function (k) {
      if (drawnKeys[k] || (!conns[k].frames.length && !conns[k].info)) return;
      var eager = drawn < EAGER && frames < EAGER_FRAMES;
      drawn++;
      frames += conns[k].frames.length;
      frag.appendChild(ladder(conns[k], eager));
    });
    model.quic.forEach(function (q) { frag.appendChild(quicSection(q)); });
    var others = restEl ? more.others : [];
    if (others.length) frag.appendChild(othersSection(others, more.strings));
    root.appendChild(frag);
    var h = /[#&]select=([0-9.]+)/.exec(location.hash);
    if (h) show(h[1]);
    document.body.dataset.resources = performance.getEntriesByType("resource").length;
    document.body.dataset.errors = errors;
    document.body.dataset.renderMs = Math.round(performance.now());
    document.body.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", rest);
  else rest();
  root.addEventListener("click", function (ev) {
    var b = ev.target.closest(".arrow");
    if (b) { show(b.dataset.id); return; }
    var g = ev.target.closest(".goto");
    if (g) {
      var id = g.dataset.id || g.dataset.frame + ".0";
      show(id);
      var a = document.querySelector('.arrow[data-id="' + id + '"]');
      if (a) { a.scrollIntoView({ block: "center" }); a.focus(); }
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "j" && ev.key !== "k") return;
    var i = selected ? order.indexOf(selected) : -1;
    i = ev.key === "j" ? Math.min(order.length - 1, i + 1) : Math.max(0, i - 1);
    if (order[i]) {
      show(order[i]);
      var b = document.querySelector('.arrow[data-id="' + order[i] + '"]');
      if (b) b.focus();
    }
  });
})();
