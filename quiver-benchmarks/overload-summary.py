#!/usr/bin/env python3
"""The table of docs/benchmarks.md ("Overload at a true 2x saturation") from SecurityBenchmark overload logs:
python3 overload-summary.py LOG...  (one row per log and protocol; the shed counts are cumulative over the run)"""
import re, sys
def rows(path):
    text = open(path).read()
    t = re.search(r'latency target ([0-9.]+) ms\)', text)
    target = t.group(1) if t else '?'
    out = []
    for proto in ('HTTP', 'gRPC'):
        sat = re.search(proto + r' saturation: closed loop\s+\d+ conns: achieved\s+([0-9,]+) req/s.*?ok ([0-9,]+),.*?server CPU ([0-9.]+) cores; load average before ([0-9. ]+)', text)
        burst = re.search(r', ' + proto + r' at ([0-9,]+)/s \([^)]*\): .*?\n  answered ([0-9,]+): ([0-9,]+) admitted, (\{[^}]*\}) refused; admitted p50 ([0-9.]+) p99 ([0-9.]+) p99.9 ([0-9.]+) ms; refused p50 ([0-9.NaN]+) p99 ([0-9.NaN]+) ms; server CPU ([0-9.]+) cores; load average before ([0-9. ]+)\n  server CPU by thread: .*?per request sent \(([0-9,]+)\): ([0-9.]+) µs.*?\n  probe .*?\n  probe back within the pre-burst p99 or 10 ms, whichever is larger \(([0-9.]+) ms\): ([0-9.]+) s after.*?\n(?:  \(the probe.*\n)?  admission after the burst: (.*)', text)
        if not sat or not burst:
            continue
        n = lambda s: int(s.replace(',', ''))
        answered, admitted = n(burst.group(2)), n(burst.group(3))
        adm = burst.group(16)
        lim = re.search(r'admission_limit\{protocol="' + proto.lower() + r'"\} ([0-9.]+)', adm)
        shed = dict((m.group(1), float(m.group(2))) for m in re.finditer(r'requests_shed\{protocol="' + proto.lower() + r'",reason="(\w+)"\} ([0-9.]+)', adm))
        out.append('| %s | %s | %s | %s/s, %s 2xx (%s cores) | %s at %s/s | %s (%.0f%%) | %s / **%s** | %s / %s | %s s | %s | %s µs | %s |' % (
            path.split('/')[-1].replace('.log', ''), proto, 'off' if target in ('0', '0.0') else target + ' ms',
            sat.group(1), sat.group(2), sat.group(3), burst.group(11).split()[0], burst.group(1),
            burst.group(3), 100.0 * admitted / max(1, answered), burst.group(5), burst.group(6), burst.group(8), burst.group(9),
            burst.group(15), lim.group(1).rstrip('0').rstrip('.') if lim else '–', burst.group(13),
            ', '.join('%s %d' % (k, v) for k, v in shed.items() if v)))
    return out
print('| run | protocol | target | closed loop: answers/s, 2xx in 8 s (server cores) | load before burst, offered | admitted | admitted p50 / p99 ms | refused p50 / p99 ms | probe back | limit after | CPU per request sent | shed (cumulative) |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|')
for p in sys.argv[1:]:
    for r in rows(p):
        print(r)
