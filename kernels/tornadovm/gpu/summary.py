"""Summarizes a check.sh output folder as Markdown: step status, decode tokens/s per format and batch, the PyTorch
side-by-side, split against unsplit attention over long contexts (when run), and the servelab run's summary.
Usage: python3 summary.py OUT. The decode table's "% of HBM" divides the weights' GB/s by the GPU's peak memory
bandwidth, taken from HBM_GBPS or, failing that, from the GPU's name in device.txt (PEAK_GBPS below)."""
import json
import os
import pathlib
import re
import sys

out = pathlib.Path(sys.argv[1])

# Peak memory bandwidth in GB/s by the name nvidia-smi gives, from NVIDIA's data sheets; the first match wins
PEAK_GBPS = [("H200", 4800), ("H100 NVL", 3900), ("H100 PCIe", 2000), ("H100", 3350)]


def peak_gbps():
    if os.environ.get("HBM_GBPS"):
        return float(os.environ["HBM_GBPS"]), "HBM_GBPS"
    device = out / "device.txt"
    text = device.read_text(errors="replace") if device.exists() else ""
    for name, gbps in PEAK_GBPS:
        if re.search(r"NVIDIA " + re.escape(name), text):
            return float(gbps), name
    return None, None


def lines(name):
    path = out / name
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()] if path.exists() else []


print("# ServeLab TornadoVM GPU check\n")
print("## Steps\n\n| step | exit | seconds | limit |\n|---|---|---|---|")
for row in (out / "steps.tsv").read_text().splitlines()[1:]:
    print("| " + " | ".join(row.split("\t")) + " |")
# one file per format (decode-F16.jsonl, ...), or one for all (decode.jsonl, before 2026-12-07)
decode = [d for p in sorted(out.glob("decode*.jsonl")) if not p.name.startswith("decode-long-") for d in lines(p.name)]
if decode:
    peak, source = peak_gbps()
    print("\n## Decode (DeviceForward)\n\n| format | batch | tokens/s | step ms | weight GB/s | % of HBM | device |"
          "\n|---|---|---|---|---|---|---|")
    for d in decode:
        share = f"{100 * d['weight_gb_per_s'] / peak:.0f}%" if peak else "-"
        print(f"| {d['format']} | {d['batch']} | {d['tokens_per_s']:.1f} | {d['step_ms']:.2f} | {d['weight_gb_per_s']:.1f} "
              f"| {share} | {d['device']} |")
    print(f"\n% of HBM: against {peak:.0f} GB/s ({source})." if peak
          else "\n% of HBM: no peak known for this device (set HBM_GBPS).")
longs = [d for n in ("decode-long-16.jsonl", "decode-long-1.jsonl") for d in lines(n)]
if longs:
    print("\n## Decode over long contexts, attention split and unsplit\n\n| format | batch | context | splits | tokens/s "
          "| step ms |\n|---|---|---|---|---|---|")
    for d in longs:
        print(f"| {d['format']} | {d['batch']} | {d['context']} | {d.get('attention_splits', '-')} | "
              f"{d['tokens_per_s']:.1f} | {d['step_ms']:.2f} |")
torch = lines("torch.jsonl")
if torch:
    ours = {(d["format"], d["batch"]): d for d in decode}
    print("\n## PyTorch eager, same F16 model\n\n| batch | torch tokens/s | ServeLab tokens/s | ratio | same first greedy tokens |"
          "\n|---|---|---|---|---|")
    for t in torch:
        mine = ours.get(("F16", t["batch"]))
        rate = mine["tokens_per_s"] if mine else None
        ratio = f"{rate / t['tokens_per_s']:.2f}" if rate else "-"
        same = "-" if not mine else ("yes" if mine.get("tokens0") == t.get("tokens0") else
                                     f"no: {mine.get('tokens0')} vs {t.get('tokens0')}")
        print(f"| {t['batch']} | {t['tokens_per_s']:.1f} | {f'{rate:.1f}' if rate else '-'} | {ratio} | {same} |")
summary = out / "run" / "summary.json"
if summary.exists():
    s = json.loads(summary.read_text())
    run = json.loads((out / "run" / "run.json").read_text())
    picked = {k: run.get(k) for k in ("backend", "backend_requested", "backend_note") if k in run}
    print("\n## servelab run (tornadovm backend)\n\n```\n" + json.dumps(picked, indent=1) + "\n"
          + json.dumps({k: s[k] for k in list(s)[:12]}, indent=1) + "\n```")
outputs = {d: out / d / "outputs.jsonl" for d in ("run", "run-cpu")}
if all(f.exists() for f in outputs.values()):
    tokens = {d: {json.loads(line)["request_id"]: json.loads(line)["tokens"] for line in f.read_text().splitlines()
                  if line.strip()} for d, f in outputs.items()}
    device, cpu = tokens["run"], tokens["run-cpu"]
    same = sum(1 for r in cpu if device.get(r) == cpu[r])
    print(f"\nGenerated tokens, tornadovm against cpu-vector: {same} of {len(cpu)} requests identical"
          + ("" if same == len(cpu) else f" (differing: {sorted(r for r in cpu if device.get(r) != cpu[r])})"))
