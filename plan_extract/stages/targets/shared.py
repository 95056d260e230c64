"""Shared values: 完整率和准确率均达到98% states one value for two measures,
so it gives one target per measure (decision 32).  The first keeps the whole
span; each later one starts at its own measure (准确率均达到98%)."""

from __future__ import annotations

from ...text.segment import cut


BARE_HEAD = 3  # characters of a later measure that names no subject of its own (满意度, 在线率)


def shared_measures(metric: str, metric_start: int, pats) -> list[tuple[str, int]]:
    """(metric, start) of each measure a shared value names; one item when the
    metric names one measure.  A measure without the last one's head
    (高血压 in 高血压、糖尿病患者服务率) borrows it: 高血压患者服务率; a later
    measure opening with a word of the first borrows the first one's lead:
    法定传染病报告率和报告及时率 gives 法定传染病报告及时率, and a bare head
    takes the first's subject: 签约居民知晓率和满意度 gives 签约居民满意度."""
    parts, pos, begin = [], 0, 0
    for token in cut(metric):
        if token in pats["shared_joins"]:
            parts.append((metric[begin:pos], metric_start + begin))
            begin = pos + len(token)
        pos += len(token)
    parts.append((metric[begin:], metric_start + begin))
    if len(parts) < 2 or any(len(p) < 2 for p, _ in parts):
        return [(metric, metric_start)]
    last = parts[-1][0]
    tokens = list(cut(last))
    # the last measure's first word (2型糖尿病: 2, 型 and 糖尿病 are one)
    first_word = next((k for k, tk in enumerate(tokens[:-1]) if len(tk) > 1 and not tk.isascii()), 0)
    out = []
    for part, start in parts[:-1]:
        if part[-1] != last[-1]:
            # the head after the word both share (理论考核 / 操作考核合格率), else after the first word
            own = list(cut(part))[-1]
            k = tokens.index(own) if own in tokens[:-1] else first_word
            part = part + "".join(tokens[k + 1:])
        out.append((part, start))
    out.append(parts[-1])
    first = out[0][0]
    for k in range(1, len(out)):
        part, start = parts[k]
        if k < len(parts) - 1 and part[-1] != last[-1]:
            continue  # 公共图书馆、文化馆、…开放率: a subject, which took the head above
        # 法定传染病报告率和报告及时率: the later measure borrows what comes before
        # its first word in the first one (法定传染病报告及时率)
        word = next(iter(cut(part)), "")
        at = first.find(word) if len(word) > 1 else -1
        if at <= 0 and len(part) <= BARE_HEAD < len(first) - 1:
            at = len(first) - len(part)  # 签约居民知晓率和满意度: a bare head takes the first's subject
        out[k] = (first[:at] + part if at > 0 else part, start)
    return out
