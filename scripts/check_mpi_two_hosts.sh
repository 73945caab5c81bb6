#!/usr/bin/env bash
# Issue 18's two-host check on one machine: two network namespaces ("hosts" 10.77.0.1 and 10.77.0.2) joined by a
# veth pair; mpirun runs in the first and starts the second host's daemon through `ip netns exec` (standing in for
# ssh), and the ranks talk MPI over TCP on the veth only (`--mca btl tcp,self`, `btl_tcp_if_include`). It runs
# the 2-rank pre-training parity: `mpirun -np 2` (one rank per host, batch 4 each) against one process with
# batch 8, and checks the losses of 20 steps (1e-5 relative) and the final weights (1e-5). Needs root (ip netns),
# Open MPI, a release build of bert (BERT=path to override) and models/all-MiniLM-L6-v2's tokenizer.
# Bounded in time: the whole job is killed after TIMEOUT seconds (default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
BERT="$(realpath "${BERT:-.build/release/bert}")"
TOKENIZER="${TOKENIZER:-models/all-MiniLM-L6-v2}"
TIMEOUT="${TIMEOUT:-600}"
[ "$(id -u)" -eq 0 ] || { echo "needs root for ip netns (run with sudo)" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "mpirun not found: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 2; }
[ -x "$BERT" ] || { echo "$BERT not found: swift build -c release --product bert" >&2; exit 2; }

TAG="bert$$"
NS_A="${TAG}a" NS_B="${TAG}b" VETH_A="${TAG}va" VETH_B="${TAG}vb"
WORK="$(mktemp -d)"
cleanup() {
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VETH_A" type veth peer name "$VETH_B"
ip link set "$VETH_A" netns "$NS_A"
ip link set "$VETH_B" netns "$NS_B"
ip -n "$NS_A" addr add 10.77.0.1/24 dev "$VETH_A"
ip -n "$NS_B" addr add 10.77.0.2/24 dev "$VETH_B"
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set "$VETH_A" up
ip -n "$NS_B" link set "$VETH_B" up
# (no ping here: the first MPI connection checks the link)

# The "ssh" mpirun uses to start its daemon on a host: run the command in that host's namespace.
cat > "$WORK/netns-ssh" <<AGENT
#!/bin/sh
while [ "\${1#-}" != "\$1" ]; do shift; done
host="\$1"; shift
case "\$host" in
    10.77.0.1) ns="$NS_A" ;;
    10.77.0.2) ns="$NS_B" ;;
    *) echo "netns-ssh: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
chmod +x "$WORK/netns-ssh"
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' > "$WORK/hosts"

# A small NSP instance file.
python3 - "$WORK/corpus.txt" <<'PY'
import sys
words = "alpha river stone quiet bright garden winter small bridge north lamp music table window open".split()
docs = []
for d in range(40):
    docs.append("\n".join(" ".join(words[(i * 5 + s * 7 + d * 3) % len(words)] for i in range(5 + (d + s) % 6)) + "." for s in range(7)))
open(sys.argv[1], "w").write("\n\n".join(docs) + "\n")
PY
"$BERT" pretraining-data --tokenizer "$TOKENIZER" --output "$WORK/train.bin" --dupe-factor 2 --max-seq-length 32 \
    --quiet "$WORK/corpus.txt" >/dev/null
COMMON=(--data "$WORK/train.bin" --tokenizer "$TOKENIZER" --hidden-size 32 --layers 2 --heads 2 --intermediate-size 64
        --dropout 0 --steps 20 --learning-rate 1e-3 --warmup-steps 3 --save-every 20 --log-every 1 --threads 1)

echo "one process, batch 8:"
timeout "$TIMEOUT" "$BERT" pretrain "${COMMON[@]}" --output "$WORK/single" --batch-size 8 2>&1 | tail -1
echo "two hosts (namespaces $NS_A, $NS_B), one rank each, batch 4, MPI over TCP on the veth:"
START=$(date +%s)
timeout "$TIMEOUT" ip netns exec "$NS_A" env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun -np 2 --hostfile "$WORK/hosts" --map-by node --bind-to none --timeout "$TIMEOUT" \
    --mca plm_rsh_agent "$WORK/netns-ssh" --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 \
    --mca oob_tcp_if_include 10.77.0.0/24 \
    "$BERT" pretrain "${COMMON[@]}" --output "$WORK/two-hosts" --batch-size 4 2>&1 | grep -E "^MPI:|^step 20 |^done" || true
echo "took $(( $(date +%s) - START )) s"
ip -n "$NS_A" -s link show "$VETH_A" | awk '/RX:/{getline; rx=$1} /TX:/{getline; tx=$1} END{printf "veth traffic: %d bytes received, %d bytes sent by host 10.77.0.1\n", rx, tx}'

python3 - "$WORK/single" "$WORK/two-hosts" <<'PY'
import json, struct, sys
def losses(run):
    out = {}
    for line in open(f"{run}/log.jsonl"):
        e = json.loads(line)
        if "eval_loss" not in e: out[e["step"]] = e["loss"]
    return out
def weights(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n]); base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__": continue
        a, b = info["data_offsets"]
        out[name] = struct.unpack(f"<{(b - a) // 4}f", raw[base + a:base + b])
    return out
a, b = losses(sys.argv[1]), losses(sys.argv[2])
assert sorted(a) == list(range(1, 21)) and sorted(b) == sorted(a), (sorted(a), sorted(b))
rel = max(abs(a[s] - b[s]) / abs(a[s]) for s in a)
wa, wb = weights(f"{sys.argv[1]}/checkpoint-20/model.safetensors"), weights(f"{sys.argv[2]}/checkpoint-20/model.safetensors")
assert sorted(wa) == sorted(wb)
dw = max(max(abs(x - y) for x, y in zip(wa[k], wb[k])) for k in wa)
print(f"losses over 20 steps: max relative difference {rel:.3g}; final weights: max difference {dw:.3g}")
ok = rel <= 1e-5 and dw <= 1e-5
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
