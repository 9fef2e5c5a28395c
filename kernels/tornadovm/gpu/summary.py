"""Summarizes a check.sh output folder as Markdown: step status, decode tokens/s per format and batch, the PyTorch
side-by-side, split against unsplit attention over long contexts (when run), and the servelab run's summary. Usage: python3 summary.py OUT"""
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])


def lines(name):
    path = out / name
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()] if path.exists() else []


print("# ServeLab TornadoVM GPU check\n")
print("## Steps\n\n| step | exit | seconds |\n|---|---|---|")
for row in (out / "steps.tsv").read_text().splitlines()[1:]:
    print("| " + " | ".join(row.split("\t")) + " |")
decode = lines("decode.jsonl")
if decode:
    print("\n## Decode (DeviceForward)\n\n| format | batch | tokens/s | step ms | weight GB/s | device |\n|---|---|---|---|---|---|")
    for d in decode:
        print(f"| {d['format']} | {d['batch']} | {d['tokens_per_s']:.1f} | {d['step_ms']:.2f} | {d['weight_gb_per_s']:.1f} | {d['device']} |")
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
