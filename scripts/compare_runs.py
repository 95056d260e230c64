"""Compare the output of two versions of plan_extract, record by record.

A restructuring must not change what the pipeline writes.  This script runs
``plan-extract run`` of a given checkout over a fixed set of inputs and
compares the ``plans.jsonl`` of two runs:

    python scripts/compare_runs.py inputs DIR [--fuzz 300]     # build the input set once
    python scripts/compare_runs.py run CHECKOUT DIR OUT [-j 2]  # run a checkout over it
    python scripts/compare_runs.py diff OUT_A OUT_B             # what differs, by field

The input set is ``data/raw``, every ``data/heldout*/raw``, ``../shared/corpus``
and ``--fuzz`` generated documents: lines of those files shuffled and spliced,
with chrome, formal-numeral and full-width markers, CRLF line ends, and the
legacy encodings (GB18030, Big5, UTF-16), plus Word, PDF and HTML renderings
of some of them.  The generator is seeded, so the same call gives the same set.
``diff`` exits 1 when any record differs and prints each changed record's
path, plan index and the fields that changed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = 17
CHROME = ["举报", "约5.18千字", "发布于四川", "文档评论(0)", "下载 126 | 收藏 8 | 分享", "您可能关注的文档",
          "- 3 -", "第 2 页 共 5 页", "当前位置：首页 > 计划"]


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16", "gb18030", "big5"):
        if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _sources() -> list[Path]:
    found = sorted((ROOT / "data" / "raw").iterdir()) + sorted(CORPUS.glob("*"))
    for d in sorted(ROOT.glob("data/heldout*/raw")):
        found += sorted(d.iterdir())
    return [p for p in found if p.is_file()]


def _text_lines() -> list[list[str]]:
    docs = []
    for p in _sources():
        if p.suffix in (".txt", ".md"):
            docs.append(_decode(p.read_bytes()).replace("\r\n", "\n").split("\n"))
    return docs


def _variant(rng: random.Random, docs: list[list[str]]) -> str:
    picked = rng.sample(docs, rng.randint(1, 3))
    lines: list[str] = []
    for doc in picked:
        a = rng.randrange(len(doc))
        b = min(len(doc), a + rng.randint(20, 400))
        chunk = doc[a:b]
        if rng.random() < 0.3:
            rng.shuffle(chunk)
        lines += chunk
    for _ in range(rng.randint(0, 6)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(CHROME))
    text = "\n".join(lines)
    if rng.random() < 0.2:  # formal numerals for the top level
        for k, (cjk, formal) in enumerate(zip("一二三四五六", "壹贰叁肆伍陆")):
            text = text.replace(f"\n{cjk}、", f"\n{formal}、")
    if rng.random() < 0.2:  # full-width markers and digits
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.()%"})
    if rng.random() < 0.2:
        text = "\n".join(ln.replace("。", "", 1) for ln in text.split("\n"))  # lost punctuation
    if rng.random() < 0.1:
        text = "2026年" + "工作计划篇" + str(rng.randint(1, 3)) + "\n" + text
    return text


def build_inputs(dest: Path, fuzz: int) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "files").mkdir(parents=True)
    for p in _sources():
        rel = p.relative_to(ROOT) if ROOT in p.parents else Path("corpus") / p.name
        target = dest / "files" / rel.as_posix().replace("/", "__")
        target.write_bytes(p.read_bytes())
    import opencc

    s2t = opencc.OpenCC("s2t")
    rng = random.Random(SEED)
    docs = _text_lines()
    sys.path.insert(0, str(ROOT / "tests"))
    from formats_gen import to_docx, to_html, to_pdf  # the tests' generators of real files

    for i in range(fuzz):
        text = _variant(rng, docs)
        if rng.random() < 0.15:
            text = text.replace("\n", "\r\n")
        roll = rng.random()
        name = dest / "files" / f"fuzz_{i:04d}"
        if roll < 0.10:
            name.with_suffix(".txt").write_bytes(text.encode("gb18030", errors="replace"))
        elif roll < 0.18:
            name.with_suffix(".txt").write_bytes(s2t.convert(text).encode("big5", errors="ignore"))
        elif roll < 0.24:
            name.with_suffix(".txt").write_bytes(text.encode("utf-16"))
        elif roll < 0.30:
            name.with_suffix(".docx").write_bytes(to_docx(text[:6000], numbered_top=rng.random() < 0.5))
        elif roll < 0.34:
            name.with_suffix(".pdf").write_bytes(to_pdf(text[:3000]))
        elif roll < 0.40:
            name.with_suffix(".html").write_text(to_html(text), encoding="utf-8")
        else:
            name.with_suffix(".txt").write_text(text, encoding="utf-8")
    print(f"{len(list((dest / 'files').iterdir()))} inputs in {dest / 'files'}")


def run(checkout: Path, inputs: Path, out: Path, jobs: int) -> None:
    """``plan-extract run`` of ``checkout``'s package (not the installed one)."""
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    code = "import sys; from plan_extract.cli import main; sys.argv[0] = 'plan-extract'; main()"
    proc = subprocess.run([sys.executable, "-c", code, "run", "files", "-o", str(out.resolve()), "-j", str(jobs)],
                          cwd=inputs, env=env, capture_output=True, text=True)
    print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}")


def _load(out: Path) -> tuple[dict, list]:
    records = {}
    for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        records[(r["source"]["path"], r["plan_index"])] = line
    errors = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return records, errors


def diff(a: Path, b: Path) -> int:
    ra, ea = _load(a)
    rb, eb = _load(b)
    same = sum(1 for k in ra if k in rb and ra[k] == rb[k])
    changed = [k for k in ra if k in rb and ra[k] != rb[k]]
    only_a = sorted(set(ra) - set(rb))
    only_b = sorted(set(rb) - set(ra))
    print(f"records: {len(ra)} vs {len(rb)}; identical {same}, changed {len(changed)}, "
          f"only in first {len(only_a)}, only in second {len(only_b)}")
    print(f"error lines: {len(ea)} vs {len(eb)}; identical: {ea == eb}")
    fields: Counter = Counter()
    for k in sorted(changed):
        x, y = json.loads(ra[k]), json.loads(rb[k])
        keys = [f for f in x if x.get(f) != y.get(f)]
        fields.update(keys)
        detail = []
        for f in ("sections", "targets", "deadlines"):
            if f in keys:
                detail.append(f"{f} {len(x[f])}->{len(y[f])}")
        print(f"  changed {k[0]} #{k[1]}: {', '.join(keys)} {' '.join(detail)}")
    for k in only_a:
        print(f"  only in first: {k[0]} #{k[1]}")
    for k in only_b:
        print(f"  only in second: {k[0]} #{k[1]}")
    if fields:
        print("changed fields:", dict(fields))
    return 0 if not changed and not only_a and not only_b and ea == eb else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inputs")
    p.add_argument("dest", type=Path)
    p.add_argument("--fuzz", type=int, default=300)
    p = sub.add_parser("run")
    p.add_argument("checkout", type=Path)
    p.add_argument("inputs", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("-j", "--jobs", type=int, default=2)
    p = sub.add_parser("diff")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "inputs":
        build_inputs(args.dest, args.fuzz)
    elif args.cmd == "run":
        run(args.checkout, args.inputs, args.out, args.jobs)
    else:
        sys.exit(diff(args.a, args.b))


if __name__ == "__main__":
    main()
