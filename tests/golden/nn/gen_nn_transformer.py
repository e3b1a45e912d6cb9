"""Golden fixtures for nn.TransformerEncoderLayer and nn.MultiheadAttention (run with /usr/bin/python3, torch 1.13).

Run from anywhere:  /usr/bin/python3 tests/golden/nn/gen_nn_transformer.py
Writes tests/src/test/resources/golden-nn/nn_transformer.safetensors.

All modules have batch_first=True and embed_dim / d_model 32 with 4 heads; inputs are [B=2, L=7, 32].
Default PyTorch initialisation (torch.manual_seed) except that the biases and LayerNorm affine parameters,
which PyTorch initialises to 0 / 1, are redrawn at random so that mix-ups show. Every case runs in train mode
(dropout is 0.0, so train mode is deterministic) and backpropagates loss = sum(output * grad_output) with a
fixed random grad_output; MultiheadAttention cases also backpropagate, separately,
loss_w = sum(weights * grad_weights).

State-dict keys:
  TransformerEncoderLayer: self_attn.in_proj_weight [96,32], self_attn.in_proj_bias [96],
    self_attn.out_proj.weight [32,32], self_attn.out_proj.bias [32], linear1.weight [64,32], linear1.bias [64],
    linear2.weight [32,64], linear2.bias [32], norm1.weight, norm1.bias, norm2.weight, norm2.bias [32]
  MultiheadAttention: in_proj_weight [96,32] (rows q|k|v), in_proj_bias [96], out_proj.weight [32,32],
    out_proj.bias [32]

Mask conventions (PyTorch's): a bool key_padding_mask [B,S] / src_key_padding_mask is True where the key is
padding (ignored); a bool attn_mask [L,S] is True where attention is NOT allowed; a float attn_mask is added
to the scaled scores before the softmax. No query row is fully masked.
"""
import torch
from torch import nn

from nn_common import NnFixture, grads_of, out_path, state_of

B, L, S, E, H = 2, 7, 5, 32, 4


def randomize_small_params(module, g):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif name.startswith("norm") and name.endswith("weight"):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)


def key_padding(g_lengths):
    """bool [B, n] with True at padded keys: batch b has g_lengths[b] real keys."""
    n = max(g_lengths)
    return torch.arange(n)[None, :] >= torch.tensor(g_lengths)[:, None]


def encoder_cases(f, g):
    configs = [
        ("enc", dict(), dict()),
        ("enc_masked", dict(), dict(src_mask="float", src_key_padding_mask=True)),
        ("enc_bool_mask", dict(), dict(src_mask="bool")),
        ("enc_norm_first_gelu", dict(norm_first=True, activation="gelu"), dict()),
    ]
    for case, extra, masks in configs:
        torch.manual_seed(10)
        kw = dict(d_model=E, nhead=H, dim_feedforward=64, dropout=0.0, batch_first=True, activation="relu",
                  norm_first=False, layer_norm_eps=1e-5)
        kw.update(extra)
        layer = nn.TransformerEncoderLayer(**kw)
        randomize_small_params(layer, g)
        layer.train()
        x = torch.randn(B, L, E, generator=g)
        call = {}
        if masks.get("src_mask") == "float":
            call["src_mask"] = torch.randn(L, L, generator=g) * 0.5
        elif masks.get("src_mask") == "bool":
            m = torch.rand(L, L, generator=g) < 0.3
            m.fill_diagonal_(False)  # every query keeps itself
            call["src_mask"] = m
        if masks.get("src_key_padding_mask"):
            call["src_key_padding_mask"] = key_padding([L, 4])
        xin = x.clone().requires_grad_(True)
        out = layer(xin, **call)
        r = torch.randn(out.shape, generator=g)
        (out * r).sum().backward()
        f.info(case, module="TransformerEncoderLayer", **{k: v for k, v in kw.items()},
               masks=sorted(call), loss="sum(output * grad_output)")
        f.put_all(f"{case}/state", state_of(layer))
        f.put(f"{case}/input", x)
        for k, v in call.items():
            f.put(f"{case}/{k}", v)
        f.put(f"{case}/output", out)
        f.put(f"{case}/grad_output", r)
        f.put_all(f"{case}/grad", grads_of(layer))
        f.put(f"{case}/grad_input", xin.grad)
        if case == "enc":
            layer.eval()
            with torch.no_grad():  # eval + no_grad takes 1.13's fused "fast path" kernel
                f.put(f"{case}/eval_output", layer(x))


def mha_cases(f, g):
    configs = [
        # case, cross-attention?, key_padding_mask?, attn_mask kind, average_attn_weights
        ("mha_plain", False, False, None, True),
        ("mha_kpm", False, True, None, True),
        ("mha_attn_float", False, False, "float", True),
        ("mha_attn_bool", False, False, "bool", True),
        ("mha_kpm_attn_float", False, True, "float", True),
        ("mha_kpm_attn_bool", False, True, "bool", True),
        ("mha_per_head", False, True, None, False),
        ("mha_cross", True, True, "float", True),
    ]
    for case, cross, kpm, amask, avg in configs:
        torch.manual_seed(20)
        mha = nn.MultiheadAttention(E, H, batch_first=True)
        randomize_small_params(mha, g)
        mha.train()
        q = torch.randn(B, L, E, generator=g)
        s = S if cross else L
        if cross:
            k = torch.randn(B, S, E, generator=g)
            v = torch.randn(B, S, E, generator=g)
        call = dict(need_weights=True, average_attn_weights=avg)
        if kpm:
            call["key_padding_mask"] = key_padding([s, s - 2])
        if amask == "float":
            call["attn_mask"] = torch.randn(L, s, generator=g) * 0.5
        elif amask == "bool":
            m = torch.rand(L, s, generator=g) < 0.3
            m[:, 0] = False  # key 0 is never padding, so no row is fully masked
            call["attn_mask"] = m

        def forward():
            qi = q.clone().requires_grad_(True)
            if cross:
                ki = k.clone().requires_grad_(True)
                vi = v.clone().requires_grad_(True)
                out, w = mha(qi, ki, vi, **call)
                return out, w, (qi, ki, vi)
            out, w = mha(qi, qi, qi, **call)
            return out, w, (qi,)

        out, w, ins = forward()
        r = torch.randn(out.shape, generator=g)
        rw = torch.randn(w.shape, generator=g)
        (out * r).sum().backward()
        f.info(case, module="MultiheadAttention", embed_dim=E, num_heads=H, dropout=0.0, bias=True,
               add_bias_kv=False, add_zero_attn=False, batch_first=True,
               call=("mha(query, key, value, ...)" if cross else "mha(input, input, input, ...)"),
               need_weights=True, average_attn_weights=avg, masks=sorted(k2 for k2 in call if "mask" in k2),
               loss="sum(output * grad_output)", loss_w="sum(weights * grad_weights)")
        f.put_all(f"{case}/state", state_of(mha))
        if cross:
            f.put(f"{case}/query", q)
            f.put(f"{case}/key", k)
            f.put(f"{case}/value", v)
        else:
            f.put(f"{case}/input", q)
        for k2 in ("key_padding_mask", "attn_mask"):
            if k2 in call:
                f.put(f"{case}/{k2}", call[k2])
        f.put(f"{case}/output", out)
        f.put(f"{case}/weights", w)
        f.put(f"{case}/grad_output", r)
        f.put(f"{case}/grad_weights", rw)
        f.put_all(f"{case}/grad", grads_of(mha))
        names = ("query", "key", "value") if cross else ("input",)
        for n, t in zip(names, ins):
            f.put(f"{case}/grad_{n}", t.grad)

        mha.zero_grad(set_to_none=True)
        out2, w2, ins2 = forward()
        assert torch.equal(out2, out) and torch.equal(w2, w)
        (w2 * rw).sum().backward()
        f.put_all(f"{case}/grad_w", grads_of_or_zero(mha))
        for n, t in zip(names, ins2):  # value gets no grad from the weights: stored as zeros
            f.put(f"{case}/grad_w_{n}", torch.zeros_like(t) if t.grad is None else t.grad)


def grads_of_or_zero(module):
    """Parameter grads of loss_w; out_proj gets none (the weights do not depend on it), stored as zeros."""
    out = {}
    for k, p in module.named_parameters():
        out[k] = torch.zeros_like(p) if p.grad is None else p.grad.detach().clone()
    return out


def main():
    g = torch.Generator().manual_seed(3)
    f = NnFixture()
    encoder_cases(f, g)
    mha_cases(f, g)
    f.write(out_path("nn_transformer.safetensors"))


if __name__ == "__main__":
    main()
