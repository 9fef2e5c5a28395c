"""PyTorch eager side-by-side for check.sh: reads the random-weight GGUF Llama that DecodeBenchmark generated (F16 or
F32 tensors), runs the same model in a few lines of torch (fp16 on CUDA, fp32 on a CPU) with a contiguous KV cache,
prefills PROMPT tokens per sequence and times STEPS greedy decode steps per batch size. One JSON line per batch.

    python3 torch_decode.py MODEL.gguf --batches 1,32 --prompt 32 --steps 32 --out torch.jsonl
"""
import argparse
import json
import struct
import time

import numpy as np
import torch

SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def read_gguf(path):
    """Metadata and F32/F16 tensors (numpy, rows x cols) of a GGUF file."""
    data = memoryview(open(path, "rb").read())
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return v[0]

    def string():
        nonlocal pos
        n = take("Q")
        pos += n
        return bytes(data[pos - n:pos]).decode()

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            elem, n = take("I"), take("Q")
            return [value(elem) for _ in range(n)]
        return take(SCALARS[kind])

    assert bytes(data[:4]) == b"GGUF", "not a GGUF file"
    pos = 8
    tensors, kvs = take("Q"), take("Q")
    meta = {}
    for _ in range(kvs):
        key = string()
        meta[key] = value(take("I"))
    infos = []
    for _ in range(tensors):
        name = string()
        dims = [take("Q") for _ in range(take("I"))]
        infos.append((name, dims, take("I"), take("Q")))
    align = meta.get("general.alignment", 32)
    start = (pos + align - 1) // align * align
    out = {}
    for name, dims, kind, offset in infos:
        count = int(np.prod(dims))
        dtype = {0: np.float32, 1: np.float16}.get(kind)
        if dtype is None:
            raise SystemExit(f"{name}: ggml type {kind} is not F32/F16; give torch_decode.py the F16 model")
        array = np.frombuffer(data, dtype=dtype, count=count, offset=start + offset)
        out[name] = array.reshape(list(reversed(dims))) if len(dims) > 1 else array
    return meta, out


class Llama:
    def __init__(self, meta, t, device, dtype):
        w = lambda name: torch.tensor(np.array(t[name]), device=device, dtype=dtype)
        self.heads = meta["llama.attention.head_count"]
        self.kv_heads = meta.get("llama.attention.head_count_kv", self.heads)
        self.eps = meta["llama.attention.layer_norm_rms_epsilon"]
        self.emb = w("token_embd.weight")
        self.dim = self.emb.shape[1]
        self.hd = self.dim // self.heads
        self.layers = [{k: w(f"blk.{i}.{k}.weight") for k in ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
                                                              "ffn_norm", "ffn_gate", "ffn_up", "ffn_down")}
                       for i in range(meta["llama.block_count"])]
        self.norm = w("output_norm.weight")
        self.out = w("output.weight") if "output.weight" in t else self.emb
        theta = meta.get("llama.rope.freq_base", 10000.0)
        freqs = theta ** (-torch.arange(0, self.hd, 2, dtype=torch.float64) / self.hd)
        if "rope_freqs.weight" in t:
            freqs = freqs / torch.tensor(np.array(t["rope_freqs.weight"]), dtype=torch.float64)
        self.freqs = freqs.to(device)
        self.device, self.dtype = device, dtype

    def rms(self, x, w):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(self.dtype) * w

    def rope(self, v, pos):  # v: [B, T, H, hd], adjacent pairs rotated (GGUF layout)
        angle = pos[:, None].double() * self.freqs[None, :]
        cos, sin = angle.cos().to(self.dtype), angle.sin().to(self.dtype)  # [T, hd/2]
        x0, x1 = v[..., 0::2], v[..., 1::2]
        c, s = cos[None, :, None, :], sin[None, :, None, :]
        return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), -1).flatten(-2)

    def forward(self, tokens, start, cache):  # tokens [B, T]; cache: per layer (k, v) [B, kvH, maxLen, hd]
        b, n = tokens.shape
        pos = torch.arange(start, start + n, device=self.device)
        x = self.emb[tokens]
        group = self.heads // self.kv_heads
        mask = torch.full((n, start + n), float("-inf"), device=self.device).triu(start + 1).to(self.dtype)
        for layer, (kc, vc) in zip(self.layers, cache):
            h = self.rms(x, layer["attn_norm"])
            q = self.rope((h @ layer["attn_q"].T).view(b, n, self.heads, self.hd), pos)
            k = self.rope((h @ layer["attn_k"].T).view(b, n, self.kv_heads, self.hd), pos)
            kc[:, :, start:start + n] = k.transpose(1, 2)
            vc[:, :, start:start + n] = (h @ layer["attn_v"].T).view(b, n, self.kv_heads, self.hd).transpose(1, 2)
            keys = kc[:, :, :start + n].repeat_interleave(group, 1)
            values = vc[:, :, :start + n].repeat_interleave(group, 1)
            scores = (q.transpose(1, 2) @ keys.transpose(2, 3)) / self.hd ** 0.5 + mask
            attn = (scores.float().softmax(-1).to(self.dtype) @ values).transpose(1, 2).reshape(b, n, self.dim)
            x = x + attn @ layer["attn_output"].T
            h = self.rms(x, layer["ffn_norm"])
            x = x + (torch.nn.functional.silu(h @ layer["ffn_gate"].T) * (h @ layer["ffn_up"].T)) @ layer["ffn_down"].T
        return self.rms(x[:, -1], self.norm) @ self.out.T


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--batches", default="1,32")
    p.add_argument("--prompt", type=int, default=32)
    p.add_argument("--steps", type=int, default=32)
    p.add_argument("--out", default="torch.jsonl")
    a = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if device == "cuda" else torch.float32
    meta, tensors = read_gguf(a.model)
    model = Llama(meta, tensors, device, dtype)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    vocab = model.out.shape[0]
    with open(a.out, "w") as out, torch.inference_mode():
        for batch in (int(b) for b in a.batches.split(",")):
            length = a.prompt + a.steps + 2
            cache = [(torch.zeros(batch, model.kv_heads, length, model.hd, device=device, dtype=dtype),
                      torch.zeros(batch, model.kv_heads, length, model.hd, device=device, dtype=dtype)) for _ in model.layers]
            prompt = (torch.arange(batch, device=device)[:, None] * 31 + torch.arange(a.prompt, device=device) * 7) % vocab
            token = model.forward(prompt, 0, cache).argmax(-1, keepdim=True)
            first = [int(token[0, 0])]  # sequence 0's greedy tokens, as DecodeBenchmark's tokens0
            position = a.prompt
            for _ in range(2):  # warm-up
                token = model.forward(token, position, cache).argmax(-1, keepdim=True)
                first.append(int(token[0, 0]))
                position += 1
            sync()
            start = time.perf_counter()
            for step in range(a.steps):
                token = model.forward(token, position, cache).argmax(-1, keepdim=True)
                if step < 5:
                    first.append(int(token[0, 0]))
                position += 1
            sync()
            seconds = time.perf_counter() - start
            line = {"batch": batch, "tokens_per_s": batch * a.steps / seconds, "step_ms": seconds * 1e3 / a.steps,
                    "device": name, "dtype": str(dtype), "torch": torch.__version__, "tokens0": first}
            print(json.dumps(line))
            out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
