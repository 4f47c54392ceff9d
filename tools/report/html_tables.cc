#include "bitnet/report/html_tables.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "bitnet/diff/arrange.h"
#include "bitnet/diff/report.h"
#include "bitnet/diff/report_table.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

std::string html_escape(const std::string& text) {
  return svg::esc(text);
}

namespace {

std::string rate(double bytes_or_ops, const char* unit) {
  return fmt::format("{:.1f} {}", bytes_or_ops / 1e9, unit);
}

std::string speedup(const std::optional<double>& scalar, double t) {
  if (!scalar || t <= 0) return "-";
  return fmt::format("{:.1f}x", *scalar / t);
}

std::string strip_time(std::string name) {
  if (name.ends_with("/real_time")) name.resize(name.size() - 10);
  return name;
}

}  // namespace

std::string machine_html(const MachineInfo& m) {
  std::string out = "<table class=\"facts\">\n";
  for (const auto& [k, v] : m.facts)
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(k), html_escape(v));
  out += "</table>\n";
  if (!m.features.empty()) {
    out += "<p class=\"features\">";
    for (const std::string& f : m.features) out += "<span>" + html_escape(f) + "</span> ";
    out += "</p>\n";
  }
  if (!m.limits.empty()) {
    // Limits as a table: one row per limit, one column per thread count.
    std::vector<int> threads;
    std::map<std::string, std::map<int, double>> rows;
    std::vector<std::string> order;
    for (const MachineLimit& l : m.limits) {
      if (std::find(threads.begin(), threads.end(), l.threads) == threads.end())
        threads.push_back(l.threads);
      const std::string name = l.limit + (l.isa.empty() ? "" : " (" + l.isa + ")");
      if (!rows.contains(name)) order.push_back(name);
      rows[name][l.threads] = l.value;
    }
    std::sort(threads.begin(), threads.end());
    out += "<h3>Measured limits</h3>\n<table class=\"num\"><tr><th>limit</th>";
    for (int t : threads) out += fmt::format("<th>{} thread(s)</th>", t);
    out += "</tr>\n";
    for (const std::string& name : order) {
      out += "<tr><td>" + html_escape(name) + "</td>";
      const bool peak = name.starts_with("int8_peak");
      for (int t : threads) {
        auto it = rows[name].find(t);
        out +=
            "<td>" +
            (it == rows[name].end() ? std::string("-") : rate(it->second, peak ? "GOPS" : "GB/s")) +
            "</td>";
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  auto pairs = [&](const char* title, const std::vector<std::pair<std::string, std::string>>& kv) {
    if (kv.empty()) return;
    out += fmt::format("<h3>{}</h3>\n<table>\n", title);
    for (const auto& [k, v] : kv)
      out += fmt::format("<tr><td>{}</td><td><code>{}</code></td></tr>\n", html_escape(k),
                         html_escape(v));
    out += "</table>\n";
  };
  pairs("Dispatch picks", m.dispatch);
  pairs("Tuning table", m.tuning);
  return out;
}

std::string kernel_summary_html(const std::vector<KernelCase>& cases) {
  if (cases.empty()) return "<p>No case with more than the dispatch row.</p>\n";
  std::string out =
      "<table class=\"num\" data-table=\"kernel-summary\"><tr><th>case</th><th>kernels</th>"
      "<th>best</th><th>best time</th><th>best vs scalar</th><th>dispatch picks</th>"
      "<th>dispatch time</th><th>dispatch vs scalar</th><th>dispatch vs best</th></tr>\n";
  for (const KernelCase& c : cases) {
    const char* cls = c.flagged ? " class=\"flag\"" : c.dispatch_not_best ? " class=\"near\"" : "";
    // The implementation row dispatch's kernel was measured as, else the kernel's name.
    std::string pick = html_escape(c.dispatch_impl.empty() ? c.dispatch_kernel : c.dispatch_impl);
    if (c.dispatch_not_best)
      pick += c.flagged ? " &#9888; not the best" : " (not the best; within noise)";
    out += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        cls, html_escape(c.key), c.kernels, html_escape(c.best_impl),
        diff::format_value(c.best_time, "real_time"), speedup(c.scalar_time, c.best_time), pick,
        c.dispatch_time ? diff::format_value(*c.dispatch_time, "real_time") : "-",
        c.dispatch_time ? speedup(c.scalar_time, *c.dispatch_time) : "-",
        c.dispatch_time ? diff::format_percent(*c.dispatch_time / c.best_time - 1) : "-");
  }
  return out + "</table>\n";
}

std::string peer_table_html(const std::vector<PeerPair>& pairs) {
  std::string out =
      "<table class=\"num\" data-table=\"peer\"><tr><th>case</th><th>ours</th><th>peer</th>"
      "<th>unit</th><th>ours/peer</th></tr>\n";
  for (const PeerPair& p : pairs)
    out += fmt::format(
        "<tr><td title=\"{}\">{}</td><td>{}</td><td title=\"{}\">{} "
        "({})</td><td>{}</td><td>{:.2f}x</td></tr>\n",
        html_escape(p.ours_name), html_escape(p.label), svg::num(p.ours), html_escape(p.peer_name),
        svg::num(p.theirs), html_escape(p.peer), html_escape(p.unit), p.ratio());
  return out + "</table>\n";
}

std::string diff_tables_html(const diff::DiffReport& report) {
  std::vector<std::string> notes;
  diff::DiffReport changed = report;
  changed.rows.clear();
  std::map<std::string, diff::DiffReport> unchanged;  // family -> its unchanged rows
  std::vector<std::string> families;
  for (const diff::BenchmarkDiff* d : diff::arrange(report, {diff::RowOrder::kEffect, false})) {
    if (diff::is_change(d->verdict)) {
      changed.rows.push_back(*d);
      continue;
    }
    auto [it, inserted] = unchanged.try_emplace(d->family);
    if (inserted) families.push_back(d->family);
    it->second.rows.push_back(*d);
  }
  auto table = [&](const diff::DiffReport& r) {
    std::string t = "<table class=\"num\"><tr>";
    for (const std::string& h : diff::table_header()) t += "<th>" + html_escape(h) + "</th>";
    t += "</tr>\n";
    for (const diff::TableRow& row : diff::table_rows(r, notes)) {
      const std::string v(diff::to_string(row.verdict));
      t += "<tr class=\"v-" + v + "\">";
      for (std::size_t i = 0; i < row.cells.size(); ++i)
        t += "<td>" + html_escape(i == 0 ? strip_time(row.cells[i]) : row.cells[i]) + "</td>";
      t += "</tr>\n";
    }
    return t + "</table>\n";
  };
  std::string out = fmt::format(
      "<p><b>{}: {}</b> (baseline <code>{}</code>)</p>\n", report.failed() ? "FAIL" : "PASS",
      html_escape(diff::summary_line(report)), html_escape(report.baseline_source));
  out += changed.rows.empty() ? "<p>No row changed.</p>\n" : table(changed);
  for (const std::string& f : families)
    out += fmt::format("<details><summary>{}: {} row(s) without change</summary>\n{}</details>\n",
                       html_escape(f), unchanged[f].rows.size(), table(unchanged[f]));
  return out;
}

}  // namespace bitnet::report
