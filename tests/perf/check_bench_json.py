"""Runs aiotsec-bench --quick --json and checks the shape of its output (not the speed:
timings are never asserted in tests). Usage: check_bench_json.py PATH_TO_BENCH"""
import json
import subprocess
import sys

OPS = {"res_derive", "xres_verify", "xres_verify_prepared", "xres_verify_batch_prepared",
       "xres_verify_batch_spawn",
       "kaiotf_derive", "nas_encode", "nas_decode", "nas_protect", "nas_unprotect",
       "adm_authentication_get", "adm_authentication_get_one", "adm_authentication_get_filter",
       "aiotf_match_candidates", "store_load"}
DEVICES = 3000  # a small --devices run: the store rows at N devices beside the in-cache ones


def main():
    run = subprocess.run([sys.argv[1], "--quick", "--json", "--batch", "512", "--devices", str(DEVICES)], check=True,
                         capture_output=True, text=True, timeout=120)
    doc = json.loads(run.stdout)   # the JSON alone on stdout
    # Progress on stderr, one line a phase (issue 14: it printed nothing for its whole run).
    phases = [ln for ln in run.stderr.splitlines() if ln.startswith("aiotsec bench: ")]
    assert phases[0].startswith("aiotsec bench: baselines") and len(phases) >= 6, run.stderr
    assert any("key store rows" in ln for ln in phases), run.stderr
    assert set(doc) == {"machine", "rows", "baselines", "checks"}, doc.keys()
    assert isinstance(doc["machine"]["cpu"], str) and isinstance(doc["machine"]["sha_ni"], bool)
    for key in ("libsodium_hmac_ns", "openssl_hmac_ns", "sha256_block_1way_ns", "sha256_block_2way_ns",
                "hmac_kernel_ns"):
        assert isinstance(doc["baselines"][key], float), key
    assert isinstance(doc["baselines"]["hmac_kernel"], str)
    assert doc["baselines"]["libsodium_hmac_ns"] > 0 and doc["baselines"]["sha256_block_2way_ns"] > 0
    for key in ("batch_verify_vs_libsodium", "batch_verify_of_ceiling", "res_native_vs_libsodium",
                "two_thread_scaling", "two_thread_scaling_spawn", "named_vs_in_cache", "filter_vs_in_cache",
                "named_two_thread_scaling", "named_in_cache_two_thread_scaling", "filter_two_thread_scaling"):
        assert isinstance(doc["checks"][key], float) and doc["checks"][key] > 0, key
    assert doc["checks"]["store_devices"] == DEVICES
    seen = set()
    for row in doc["rows"]:
        base = {"op", "backend", "threads", "ns_per_op", "ops_per_s"}
        assert base <= set(row) <= base | {"devices", "bytes_per_device", "huge_pages_kib"}, row
        if row["op"] in ("store_load", "adm_authentication_get"):
            assert row["devices"] in (64, DEVICES), row
        if row["op"] == "store_load":
            # Resident memory the load added, per device: 0 for a small store that fits in
            # heap the process already had (it is meant for millions of devices).
            assert isinstance(row["bytes_per_device"], float) and row["bytes_per_device"] >= 0, row
            assert isinstance(row["huge_pages_kib"], int), row
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
            ("xres_verify_batch_spawn", 2), ("adm_authentication_get", 1), ("adm_authentication_get", 2),
            ("adm_authentication_get_one", 1), ("store_load", 1),
            ("adm_authentication_get_filter", 1), ("adm_authentication_get_filter", 2),
            ("aiotf_match_candidates", 1)}
    assert want <= native, want - native
    store = {(r["op"], r["threads"], r["devices"]) for r in doc["rows"]
             if r["backend"] == "native" and r["op"] in ("adm_authentication_get", "adm_authentication_get_filter")
             and r.get("devices") in (64, DEVICES)}
    assert {(op, thr, dev) for op in ("adm_authentication_get", "adm_authentication_get_filter")
            for thr in (1, 2) for dev in (64, DEVICES)} <= store, store
    print(f"bench JSON ok: {len(doc['rows'])} rows, checks {doc['checks']}")


if __name__ == "__main__":
    main()
