"""Runs aiotsec-bench --quick --json and checks the shape of its output (not the speed:
timings are never asserted in tests). Usage: check_bench_json.py PATH_TO_BENCH"""
import json
import subprocess
import sys

OPS = {"res_derive", "xres_verify", "xres_verify_prepared", "xres_verify_batch_prepared",
       "xres_verify_batch_spawn",
       "kaiotf_derive", "nas_encode", "nas_decode", "nas_protect", "nas_unprotect",
       "adm_authentication_get", "adm_authentication_get_filter", "aiotf_match_candidates"}


def main():
    out = subprocess.run([sys.argv[1], "--quick", "--json", "--batch", "512"], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    doc = json.loads(out)
    assert set(doc) == {"machine", "rows", "baselines", "checks"}, doc.keys()
    assert isinstance(doc["machine"]["cpu"], str) and isinstance(doc["machine"]["sha_ni"], bool)
    for key in ("libsodium_hmac_ns", "openssl_hmac_ns", "sha256_block_1way_ns", "sha256_block_2way_ns"):
        assert isinstance(doc["baselines"][key], float), key
    assert doc["baselines"]["libsodium_hmac_ns"] > 0 and doc["baselines"]["sha256_block_2way_ns"] > 0
    for key in ("batch_verify_vs_libsodium", "batch_verify_of_ceiling", "res_native_vs_libsodium",
                "two_thread_scaling", "two_thread_scaling_spawn"):
        assert isinstance(doc["checks"][key], float) and doc["checks"][key] > 0, key
    seen = set()
    for row in doc["rows"]:
        assert set(row) == {"op", "backend", "threads", "ns_per_op", "ops_per_s"}, row
        assert row["op"] in OPS, row["op"]
        assert isinstance(row["threads"], int) and row["threads"] >= 1
        assert isinstance(row["ns_per_op"], float) and isinstance(row["ops_per_s"], float), row
        assert row["ns_per_op"] > 0 and abs(row["ops_per_s"] * row["ns_per_op"] / 1e9 - 1) < 0.01, row
        seen.add(row["op"])
    assert seen == OPS, OPS - seen
    backends = {r["backend"] for r in doc["rows"] if r["op"] == "xres_verify_batch_prepared"}
    assert {"sodium", "native", "native-portable"} <= backends, backends
    # 1 thread, 2 threads on the pool (the scaling check), 2 threads created per call.
    native = {(r["op"], r["threads"]) for r in doc["rows"] if r["backend"] == "native"}
    want = {("xres_verify_batch_prepared", 1), ("xres_verify_batch_prepared", 2),
            ("xres_verify_batch_spawn", 2), ("adm_authentication_get", 1),
            ("adm_authentication_get_filter", 1), ("adm_authentication_get_filter", 2),
            ("aiotf_match_candidates", 1)}
    assert want <= native, want - native
    print(f"bench JSON ok: {len(doc['rows'])} rows, checks {doc['checks']}")


if __name__ == "__main__":
    main()
