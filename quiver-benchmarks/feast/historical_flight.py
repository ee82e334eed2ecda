#!/usr/bin/env python3
"""A training set into pandas through Feast's SDK with a Quiver server as its remote offline store.

Run by dev.quiver.bench.FlightTrainingSetBenchmark, which starts the server on the reference workload's repo.
Writes a Feast repo (feature_store.yaml: the server as remote registry, online store and offline store) in
FEAST_DIR, reads WORK_DIR/query.parquet into pandas (not timed), then times, --runs times,

    store.get_historical_features(entity_df=df, features=[...], full_feature_names=True).to_df()

and prints one JSON line per run: seconds, rows, columns, and this process's peak RSS so far (ru_maxrss).

Usage: python historical_flight.py WORK_DIR FEAST_DIR --grpc HOST:PORT --http URL --project NAME [--runs 3]
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
from feast import FeatureStore


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("work_dir")
    p.add_argument("feast_dir")
    p.add_argument("--grpc", required=True)
    p.add_argument("--http", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    work = Path(a.work_dir)
    workload = json.loads((work / "workload.json").read_text())
    refs = [f"{v['name']}:{f}" for v in workload["views"] for f in v["features"]]
    host, port = a.grpc.rsplit(":", 1)
    feast_dir = Path(a.feast_dir)
    feast_dir.mkdir(parents=True, exist_ok=True)
    (feast_dir / "feature_store.yaml").write_text(f"""\
project: {a.project}
provider: local
registry: {{registry_type: remote, path: "{a.grpc}"}}
online_store: {{type: remote, path: "{a.http}"}}
offline_store: {{type: remote, host: "{host}", port: {port}}}
entity_key_serialization_version: 3
""")
    store = FeatureStore(repo_path=str(feast_dir))
    df = pd.read_parquet(work / "query.parquet")
    for run in range(1, a.runs + 1):
        started = time.perf_counter()
        out = store.get_historical_features(entity_df=df, features=refs, full_feature_names=True).to_df()
        seconds = time.perf_counter() - started
        print(json.dumps({"run": run, "seconds": round(seconds, 3), "rows": len(out), "columns": len(out.columns),
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}), flush=True)
        if len(out) != len(df):
            print(f"expected {len(df)} rows, got {len(out)}", file=sys.stderr)
            return 1
        del out
    return 0


if __name__ == "__main__":
    sys.exit(main())
