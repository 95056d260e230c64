"""``plan-extract report``: one self-contained HTML page to review a run.

For each plan: its text with section markers, targets and deadlines
highlighted (a colour per kind, normalized fields on hover, a click jumps to
the item's table row) and the section tree as an outline; then sortable,
filterable tables of targets and deadlines, charts (Altair rendered to
inline SVG by vl-convert, so the page needs no network), the errors, and a
flag on targets whose classifier confidence is low.  Everything is inlined:
the file opens offline.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

from ..core.atomic import write_lines
from .columns import LOW_CONFIDENCE
from .export import frames, read_records, section_paths

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:12px 24px}.legend span{margin-right:12px;padding:1px 6px;border-radius:3px}
.hl{cursor:pointer;border-radius:3px;padding:0 1px}.section{background:#d9e8ff;font-weight:bold}
.target{background:#ffe3a3}.deadline{background:#c9f2d0}.review{outline:2px dashed #d33}
article.plan{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px 16px}
.cols{display:flex;gap:16px}.outline{flex:0 0 28%;font-size:13px;max-height:480px;overflow:auto}
.outline ul{padding-left:14px;margin:2px 0}.text{flex:1;white-space:pre-wrap;line-height:1.8;max-height:480px;overflow:auto}
table{border-collapse:collapse;font-size:13px;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:3px 6px}
th{background:#eef;cursor:pointer;position:sticky;top:0}tr.flash{background:#fffbcc}input.filter{margin:6px 0;width:320px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{background:#fff;border:1px solid #ddd;margin:0;padding:8px}
.meta{color:#666;font-size:12px}.flag{color:#d33;font-weight:bold}
"""

SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v || a.cells[col].textContent, y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
      return asc ? r : -r;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
document.querySelectorAll('input.filter').forEach(function(box){
  box.addEventListener('input', function(){
    var q = box.value.trim().toLowerCase();
    document.getElementById(box.dataset.table).tBodies[0].querySelectorAll('tr').forEach(function(tr){
      tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
document.querySelectorAll('.hl[data-row]').forEach(function(m){
  m.addEventListener('click', function(){
    var row = document.getElementById(m.dataset.row);
    if (row) { row.scrollIntoView({block: 'center'}); row.classList.add('flash'); }
  });
});
document.body.dataset.highlights = document.querySelectorAll('.hl').length;
document.body.dataset.ready = 'yes';
"""


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def certainty(item: dict) -> float:
    """The review queue's sort key: the classifier's confidence, and 2.0 (last)
    for an item the rules decided alone (``--rules-only`` targets, deadlines)."""
    confidence = item.get("confidence")
    return 2.0 if confidence is None else confidence


def is_low(item: dict) -> bool:
    """Whether a target's confidence is low enough to flag it for review."""
    return item.get("confidence") is not None and item["confidence"] < LOW_CONFIDENCE


def target_tip(t: dict, deadlines: dict) -> str:
    """A target's normalized fields in one line (the page's hover text)."""
    value = "xx" if t["placeholder"] else (f"{t['value']}" + (f"–{t['value_max']}" if t["value_max"] is not None else ""))
    parts = [f"{t['metric'] or '?'} {t['comparator']} {value}{t['unit'] or ''}"]
    if t["baseline"]:
        b = t["baseline"]
        parts.append(f"baseline {b['value']}{b['unit'] or ''}" + (f" ({b['year']})" if b["year"] else ""))
    if t["deadline"] in deadlines:
        parts.append(f"deadline {deadlines[t['deadline']].get('value') or deadlines[t['deadline']].get('recurrence')}")
    if t["confidence"] is not None:
        parts.append(f"confidence {t['confidence']:.2f}")
    return "; ".join(parts)


def _marks(record: dict) -> list[tuple[int, int, str, str, str, bool]]:
    """(start, end, kind, tooltip, row id, low confidence) of every highlight."""
    pid = record["id"]
    deadlines = {d["id"]: d for d in record["deadlines"]}
    out = []
    for s in record["sections"]:
        out.append((s["start"], s["start"] + len(s["marker"]), "section",
                    f"{s['style']} level {s['level']} #{s['number']}: {s['title']}", "", False))
    for t in record["targets"]:
        low = is_low(t)
        out.append((t["start"], t["end"], "target", target_tip(t, deadlines), f"row-{pid}-{t['id']}", low))
    for d in record["deadlines"]:
        tip = f"{d['kind']}: {d['value'] or d['recurrence']}"
        out.append((d["start"], d["end"], "deadline", tip, f"row-{pid}-{d['id']}", False))
    return sorted(out, key=lambda m: (m[0], -m[1]))


def _highlighted(record: dict) -> str:
    """The plan text with every item marked; a crossing span is cut at the mark it crosses."""
    text = record["text"]
    parts, pos, open_until = [], 0, []
    events = _marks(record)
    for start, end, kind, tip, row, low in events:
        while open_until and open_until[-1] <= start:
            parts.append(_e(text[pos:open_until[-1]]) + "</mark>")
            pos = open_until.pop()
        start = max(start, pos)
        if open_until:
            end = min(end, open_until[-1])
        end = max(end, start + 1)
        parts.append(_e(text[pos:start]))
        cls = f"hl {kind}" + (" review" if low else "")
        row_attr = f' data-row="{row}"' if row else ""
        parts.append(f'<mark class="{cls}" title="{_e(tip)}"{row_attr}>')
        pos = start
        open_until.append(end)
    while open_until:
        parts.append(_e(text[pos:open_until[-1]]) + "</mark>")
        pos = open_until.pop()
    parts.append(_e(text[pos:]))
    return "".join(parts)


def _outline(record: dict) -> str:
    children: dict = {}
    for s in record["sections"]:
        children.setdefault(s["parent"], []).append(s)

    def render(parent) -> str:
        items = children.get(parent, [])
        if not items:
            return ""
        return "<ul>" + "".join(f"<li>{_e(s['marker'])} {_e(s['title'])}{render(s['id'])}</li>" for s in items) + "</ul>"

    return render(None) or '<p class="meta">no numbered structure</p>'


def _charts(tables: dict, errors: list[dict]) -> list[tuple[str, str]]:
    """(caption, inline SVG) per chart; empty when vl-convert is not installed."""
    try:
        import altair as alt
        import pandas as pd
        import vl_convert as vlc
    except ImportError:
        return []
    charts = []
    t = tables["targets"]
    if len(t):
        t = t.assign(unit=t.unit.fillna("(none)"))
        top_units = t.unit.value_counts().index[:12]
        data = t[t.unit.isin(top_units)].groupby(["unit", "comparator"]).size().rename("n").reset_index()
        chart = alt.Chart(data).mark_bar().encode(x="n:Q", y=alt.Y("unit:N", sort="-x"), color="comparator:N")
        charts.append(("Targets by unit and comparator", chart.properties(width=360)))
    d = tables["deadlines"]
    dated = d[d.kind != "recurring"].copy()
    if len(dated):
        dated["month"] = pd.to_numeric(dated.value.str.slice(5, 7), errors="coerce")
        data = dated.dropna(subset=["month"]).groupby(["month", "kind"]).size().rename("n").reset_index()
        chart = alt.Chart(data).mark_bar().encode(x=alt.X("month:O", scale=alt.Scale(domain=list(range(1, 13)))),
                                                  y="n:Q", color="kind:N")
        charts.append(("Deadlines on a month timeline", chart.properties(width=360)))
    per_file = Counter(Path(p).name for p in tables["plans"].source_path)
    for e in errors:
        per_file[Path(e["path"]).name] += 0
    data = pd.DataFrame([{"file": f, "what": "plans", "n": n} for f, n in per_file.items()] +
                        [{"file": Path(e["path"]).name, "what": "errors", "n": 1} for e in errors])
    if len(data):
        chart = alt.Chart(data).mark_bar().encode(x="n:Q", y=alt.Y("file:N"), color="what:N")
        charts.append(("Plans and errors per file", chart.properties(width=360)))
    return [(caption, vlc.vegalite_to_svg(chart.to_dict())) for caption, chart in charts]


def _table(table_id: str, header: list[str], rows: list[tuple[str, list]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(f'<tr id="{rid}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>" for rid, cells in rows)
    return (f'<input class="filter" data-table="{table_id}" placeholder="filter…">'
            f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def build_report(outdir: Path) -> str:
    outdir = Path(outdir)
    records = list(read_records(outdir / "plans.jsonl"))
    errors_path = outdir / "errors.jsonl"
    errors = [json.loads(x) for x in errors_path.read_text(encoding="utf-8").splitlines()] if errors_path.exists() else []
    tables = frames(outdir / "plans.jsonl")
    n = {k: sum(len(r[k]) for r in records) for k in ("sections", "targets", "deadlines")}
    low = sum(1 for r in records for t in r["targets"] if is_low(t))
    out = ['<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>plan_extract review</title>',
           f"<style>{STYLE}</style></head><body>",
           f"<header><h1>plan_extract review: {_e(outdir.name)}</h1><div>{len(records)} plans, {n['sections']} sections, "
           f"{n['targets']} targets ({low} to review), {n['deadlines']} deadlines, {len(errors)} errors</div></header><main>",
           '<p class="legend"><span class="key section">section</span><span class="key target">target</span>'
           '<span class="key deadline">deadline</span><span class="key target review">low confidence</span> '
           "— hover for the normalized fields, click to jump to the row</p>"]
    charts = _charts(tables, errors)
    if charts:
        out.append('<section class="charts">' + "".join(
            f"<figure><figcaption>{_e(c)}</figcaption>{svg}</figure>" for c, svg in charts) + "</section>")
    out.append("<h2>Plans</h2><ol>" + "".join(
        f'<li><a href="#p-{r["id"]}">{_e(r["title"] or "(untitled)")}</a> <span class="meta">{_e(r["source"]["path"])}</span></li>'
        for r in records) + "</ol>")
    for r in records:
        warnings = ", ".join(f"{w.get('kind', w['code'])}: {w['count']}" for w in r["warnings"]) or "none"
        out.append(f'<article class="plan" id="p-{r["id"]}"><h2>{_e(r["title"] or "(untitled)")}</h2>'
                   f'<div class="meta">{_e(r["source"]["path"])} · plan {r["plan_index"]} · year {_e(r["year"])} · '
                   f'{r["script"]} · dropped/warnings: {_e(warnings)}</div>'
                   f'<div class="cols"><div class="outline">{_outline(r)}</div>'
                   f'<div class="text">{_highlighted(r)}</div></div></article>')
    target_rows, deadline_rows, order = [], [], []
    for r in records:
        paths = section_paths(r["sections"])
        dmap = {d["id"]: d for d in r["deadlines"]}
        for t in r["targets"]:
            low = is_low(t)
            b = t["baseline"]
            d = dmap.get(t["deadline"])
            order.append(certainty(t))  # rules alone: last
            target_rows.append((f"row-{r['id']}-{t['id']}", [
                _e(r["title"]), _e(paths.get(t["section"], "")), _e(t["metric"]), _e(t["comparator"]),
                _e(t["value"] if not t["placeholder"] else "xx"), _e(t["value_max"]), _e(t["unit"]),
                _e(f"{b['value']}{b['unit'] or ''} {b['year'] or ''}" if b else ""),
                _e((d.get("value") or d.get("recurrence")) if d else ""),
                _e("" if t["confidence"] is None else f"{t['confidence']:.2f}"),
                '<span class="flag">review</span>' if low else "", _e(t["text"])]))
        for d in r["deadlines"]:
            deadline_rows.append((f"row-{r['id']}-{d['id']}", [
                _e(r["title"]), _e(paths.get(d["section"], "")), _e(d["kind"]), _e(d["value"]),
                _e(d["recurrence"]), _e(d["text"])]))
    # the least certain first: a reviewer's queue (a stable sort keeps document order among equals)
    target_rows = [row for _, row in sorted(zip(order, target_rows), key=lambda x: x[0])]
    out.append("<h2>Targets</h2>" + _table("targets-table", ["plan", "section", "metric", "comparator", "value",
                                                            "value_max", "unit", "baseline", "deadline", "confidence",
                                                            "flag", "text"], target_rows))
    out.append("<h2>Deadlines</h2>" + _table("deadlines-table", ["plan", "section", "kind", "value", "recurrence",
                                                                "text"], deadline_rows))
    out.append("<h2>Errors</h2>" + ("<ul>" + "".join(
        f"<li>{_e(e['path'])}: {_e(e['stage'])}: {_e(e['reason'])}</li>" for e in errors) + "</ul>" if errors
        else "<p>none</p>"))
    out.append(f"</main><script>{SCRIPT}</script></body></html>")
    return "".join(out)


def write_report(outdir: Path, target: Path | None = None) -> Path:
    target = Path(target) if target else Path(outdir) / "report.html"
    write_lines(target, [build_report(Path(outdir))])
    return target
