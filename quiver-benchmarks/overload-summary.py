#!/usr/bin/env python3
"""The table of docs/benchmarks.md ("Overload at 2x capacity, measured validly") from SecurityBenchmark overload logs:
python3 overload-summary.py LOG...  One row per log and protocol whose burst offered at least 95% of the rate asked;
the others are listed under the table as INVALID, not summarised. Shed counts are cumulative over the run."""
import re, sys

def num(s):
    return float(s.replace(',', ''))

def after(text, start, pattern):
    m = re.compile(pattern).search(text, start)
    return m

def rows(path):
    text = open(path).read()
    t = re.search(r'latency target ([0-9.]+) ms\)', text)
    target = t.group(1) if t else '?'
    name = path.split('/')[-1].replace('.log', '')
    jit = re.search(r'JIT (settled|NOT settled) after (\d+) rounds', text)
    good, bad = [], []
    for proto in ('HTTP', 'gRPC'):
        cap = re.search(proto + r' capacity: closed loop\s+\d+ conns: achieved\s+[0-9,]+ req/s.*?ok ([0-9,]+)[,;].*', text)
        sat = re.search(proto + r' saturation: closed loop\s+\d+ conns: achieved\s+([0-9,]+) req/s.*?ok ([0-9,]+)[,;].*', text)
        burst = re.search(r', ' + proto + r' at ([0-9,]+)/s \([^)]*\): .*', text)
        if not cap or not sat or not burst:
            continue
        capsec = re.search(r'achieved\s+([0-9,]+) req/s', cap.group(0))
        capcpu = after(text, cap.end(), r'CPUs: .*?; CPU \d+ (\d+)% busy \(server JVM ([0-9.]+) cores, redis-server ([0-9.]+) cores\)(; SHARED)?')
        ans = after(text, burst.end(), r'answered ([0-9,]+): ([0-9,]+) admitted, (\{[^}]*\}) refused; admitted p50 ([0-9.NaN]+) p99 ([0-9.NaN]+) p99.9 [0-9.NaN]+ ms; refused p50 ([0-9.NaN]+) p99 ([0-9.NaN]+) ms; server CPU [0-9.]+ cores; load average before ([0-9.]+)')
        per = after(text, burst.end(), r'per request sent \(([0-9,]+)\): ([0-9.]+) µs.*?JIT CPU in this phase ([0-9.]+) s')
        offer = after(text, burst.end(), r'offer: .*?: ([0-9,]+)/s of the ([0-9,]+)/s asked \(([0-9.]+)%\); load generator CPU ([0-9.]+) cores; (VALID|INVALID)')
        back = after(text, burst.end(), r'probe back within the pre-burst p99 or \d+ ms, whichever is larger \(([0-9.]+) ms\): ([0-9.]+) s after')
        adm = after(text, burst.end(), r'admission after the burst: (.*)')
        if not (ans and per and offer and back and adm):
            continue
        if offer.group(5) != 'VALID':
            bad.append('- %s %s (%s): INVALID, offered %s/s of %s/s (%s%%), load generator %s cores' % (
                name, proto, 'off' if target in ('0', '0.0') else target + ' ms', offer.group(1), offer.group(2),
                offer.group(3), offer.group(4)))
            continue
        answered, admitted = num(ans.group(1)), num(ans.group(2))
        lim = re.search(r'admission_limit\{protocol="' + proto.lower() + r'"\} ([0-9.]+)', adm.group(1))
        shed = dict((m.group(1), float(m.group(2))) for m in re.finditer(
            r'requests_shed\{protocol="' + proto.lower() + r'",reason="(\w+)"\} ([0-9.]+)', adm.group(1)))
        good.append('| %s | %s | %s | %s | %s | %s 2xx | %s/s (%s%%; %s cores) | %s (%.0f%%) | %s / **%s** | %s / %s | %s s | %s s | %s | %s µs | %s |' % (
            name, proto, 'off' if target in ('0', '0.0') else target + ' ms', ans.group(8),
            '%s/s (CPU %s%%: server %s, redis %s cores%s)' % (capsec.group(1), capcpu.group(1), capcpu.group(2), capcpu.group(3), ', SHARED' if capcpu.group(4) else '') if capcpu else capsec.group(1) + '/s',
            sat.group(2), offer.group(1), offer.group(3), offer.group(4), ans.group(2), 100.0 * admitted / max(1, answered),
            ans.group(4), ans.group(5), ans.group(6), ans.group(7), back.group(2), per.group(3),
            lim.group(1).rstrip('0').rstrip('.') if lim else '–', per.group(2),
            ', '.join('%s %d' % (k, v) for k, v in shed.items() if v)))
    return good, bad

print('| run | protocol | target | load before burst | capacity: closed loop of 16, answers/s (pinned CPU busy, cores) | closed loop of 256, in the duration | offered (of asked; generator) | admitted | admitted p50 / p99 ms | refused p50 / p99 ms | probe back | JIT in burst | limit after | CPU per request sent | shed (cumulative) |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
invalid = []
for p in sys.argv[1:]:
    g, b = rows(p)
    for r in g:
        print(r)
    invalid += b
if invalid:
    print()
    print('Not summarised (the generator did not offer the rate):')
    print('\n'.join(invalid))
