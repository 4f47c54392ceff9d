#!/usr/bin/env python3
"""Checks bench-report's page as a browser saw it (standard library only).

  check_report_page.py dom DOM.html CHARTS.json   every chart drawn, with its expected series
  check_report_page.py netlog NET.json PAGE_URL    no request made by the page (a Chromium
                                                   --log-net-log file)
  check_report_page.py svgs DOM.html OUT_DIR       writes each chart as OUT_DIR/<n>.svg
  check_report_page.py ink PNG MIN_FRACTION        the picture is not blank
Exit 0 when the check holds, 1 with a message otherwise."""
import html.parser
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402


class Charts(html.parser.HTMLParser):
    """Collects, per <svg data-chart=...>, its drawn marks and their data-series."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts, self.current, self.group_series = [], None, []
        self.external, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href", "xlink:href"):
            if key in a and not a[key].startswith(("data:", "#")):
                self.external.append(f"<{tag} {key}={a[key]}>")
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.scripts += 1
        if tag == "svg" and "data-chart" in a:
            self.current = {"chart": a["data-chart"], "series": {}, "marks": 0, "empty": 0}
            self.charts.append(self.current)
            self.group_series = []
            return
        if self.current is None:
            return
        if tag == "g":
            self.group_series.append(a.get("data-series"))
        series = a.get("data-series") or next((s for s in reversed(self.group_series) if s), None)
        if tag in ("circle", "rect", "line", "path"):
            size = {"circle": a.get("r", "0"), "rect": a.get("width", "0"),
                    "line": "1", "path": str(len(a.get("d", "")))}[tag]
            drawn = float(size) > 0
            if series:
                self.current["series"][series] = self.current["series"].get(series, 0) + drawn
                self.current["marks"] += drawn
                self.current["empty"] += not drawn

    def handle_endtag(self, tag):
        if tag == "svg":
            self.current = None
        elif tag == "g" and self.group_series:
            self.group_series.pop()


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check_dom(dom_path, spec_path):
    parser = Charts()
    with open(dom_path, encoding="utf-8") as f:
        parser.feed(f.read())
    with open(spec_path) as f:
        spec = json.load(f)  # {"chart name": {"count": N, "series": [...]}}
    if parser.external:
        fail(f"external resources in the page: {parser.external[:5]}")
    if parser.scripts:
        fail(f"{parser.scripts} script/link/embed element(s) in the page")
    for name, want in spec.items():
        got = [c for c in parser.charts if c["chart"] == name]
        if len(got) != want.get("count", 1):
            fail(f"chart {name}: {len(got)} drawn, expected {want.get('count', 1)}")
        for c in got:
            if c["marks"] == 0:
                fail(f"chart {name}: no mark drawn")
            for s in want.get("series", []):
                if c["series"].get(s, 0) == 0:
                    fail(f"chart {name}: series {s!r} not drawn (drawn: {sorted(c['series'])})")
        print(f"ok: {name}: {len(got)} chart(s), "
              f"{sum(c['marks'] for c in got)} marks, series {sorted(got[0]['series'])[:8]}")


def check_netlog(path, page_url):
    with open(path) as f:
        log = json.load(f)
    requests = set()
    for e in log.get("events", []):
        p = e.get("params", {})
        url = p.get("url", "")
        if not url or url.startswith(("file:", "data:", "about:", "chrome:")):
            continue
        # The browser's own background traffic has no origin; a page's request has the page's.
        from_page = (p.get("initiator") not in (None, "not an origin")
                     or "file://" in p.get("network_isolation_key", ""))
        if from_page:
            requests.add(url)
    if requests:
        fail(f"the page {page_url} made network requests: {sorted(requests)}")
    print(f"ok: no network request from {page_url}")


def write_svgs(dom_path, out_dir):
    with open(dom_path, encoding="utf-8") as f:
        text = f.read()
    n, pos = 0, 0
    while True:
        start = text.find("<svg ", pos)
        if start < 0:
            break
        end = text.find("</svg>", start) + len("</svg>")
        with open(os.path.join(out_dir, f"{n}.svg"), "w", encoding="utf-8") as out:
            out.write(text[start:end])
        n, pos = n + 1, end
    print(n)


def check_ink(path, minimum):
    picture = png.read_png(path)
    ink = png.ink_fraction(picture)
    if ink < minimum:
        fail(f"{path}: {100 * ink:.2f} % of the pixels drawn, expected at least {100 * minimum:g} %")
    print(f"ok: {path}: {picture[0]}x{picture[1]}, {100 * ink:.1f} % drawn")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "dom":
        check_dom(sys.argv[2], sys.argv[3])
    elif cmd == "netlog":
        check_netlog(sys.argv[2], sys.argv[3])
    elif cmd == "svgs":
        write_svgs(sys.argv[2], sys.argv[3])
    elif cmd == "ink":
        check_ink(sys.argv[2], float(sys.argv[3]))
    else:
        fail(f"unknown command {cmd}")
