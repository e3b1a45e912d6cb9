#!/usr/bin/python3
"""Golden fixtures for the tensor engine's elementwise, reduction, view, indexing, sorting, creation and
linear-algebra ops, computed by PyTorch 1.13 (Debian's python3-torch).

Run from the repository root:  /usr/bin/python3 tests/golden/gen_tensor_ops.py
Writes tests/src/test/resources/golden/tensor_ops.safetensors. Case names and op names are PyTorch's;
args are PyTorch's keyword arguments (see golden_common.py for the file layout).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import FixtureFile, seeded  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden",
                   "tensor_ops.safetensors")

g = seeded(20261123)
ff = FixtureFile()


def rnd(*shape, lo=-2.0, hi=2.0, dtype=torch.float32):
    return (torch.rand(*shape, generator=g, dtype=torch.float64) * (hi - lo) + lo).to(dtype)


def pos(*shape):
    return rnd(*shape, lo=0.1, hi=3.0)


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64)


# ---------------------------------------------------------------- elementwise
unary = {
    "neg": (torch.neg, False), "abs": (torch.abs, False), "sign": (torch.sign, False),
    "square": (torch.square, False), "exp": (torch.exp, False), "log": (torch.log, True),
    "log1p": (torch.log1p, True), "expm1": (torch.expm1, False), "sqrt": (torch.sqrt, True),
    "rsqrt": (torch.rsqrt, True), "reciprocal": (torch.reciprocal, True), "sigmoid": (torch.sigmoid, False),
    "tanh": (torch.tanh, False), "relu": (torch.relu, False), "silu": (torch.nn.functional.silu, False),
    "sin": (torch.sin, False), "cos": (torch.cos, False), "floor": (torch.floor, False),
    "ceil": (torch.ceil, False), "round": (torch.round, False), "trunc": (torch.trunc, False),
    "isnan": (torch.isnan, False), "isfinite": (torch.isfinite, False),
}
for name, (fn, positive) in unary.items():
    x = pos(3, 17) if positive else rnd(3, 17) * 3
    if name in ("isnan", "isfinite"):
        x[0, 0] = float("nan")
        x[1, 1] = float("inf")
    ff.add(f"{name}/f32", name, [x], fn(x))
    xd = x.double()
    ff.add(f"{name}/f64_strided", name, [xd.t()], fn(xd.t()))
for name in ("neg", "abs", "sign", "square", "relu"):
    xi = ints(-5, 6, 4, 5)
    ff.add(f"{name}/int64", name, [xi], unary[name][0](xi))
ff.add("round/half_even", "round", [torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])],
       torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])))
b = rnd(4, 6) > 0
ff.add("logical_not/bool", "logical_not", [b], torch.logical_not(b))
x = rnd(5, 19) * 3
ff.add("leaky_relu/0.2", "leaky_relu", [x], torch.nn.functional.leaky_relu(x, 0.2), negative_slope=0.2)
ff.add("gelu/none", "gelu", [x], torch.nn.functional.gelu(x))
ff.add("gelu/tanh", "gelu", [x], torch.nn.functional.gelu(x, approximate="tanh"), approximate="tanh")
ff.add("clamp/both", "clamp", [x], torch.clamp(x, -0.5, 0.75), min=-0.5, max=0.75)
ff.add("clamp/min", "clamp", [x], torch.clamp(x, min=0.0), min=0.0)
ff.add("pow/scalar", "pow", [x], torch.pow(x, 3.0), exponent=3.0)
p1, p2 = pos(3, 4), rnd(4)
ff.add("pow/tensor", "pow", [p1, p2], torch.pow(p1, p2))
pi = ints(-3, 4, 5)
ff.add("pow/int_scalar", "pow", [pi], torch.pow(pi, 2), exponent=2)

binary = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum,
    "minimum": torch.minimum, "atan2": torch.atan2, "remainder": torch.remainder,
    "floor_divide": torch.floor_divide, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}
for name, fn in binary.items():
    a, c = rnd(2, 3, 17), rnd(3, 1)
    if name in ("div", "remainder", "floor_divide"):
        c = c.abs() + 0.25
        c[0, 0] = -c[0, 0]
    ff.add(f"{name}/broadcast", name, [a, c], fn(a, c))
    ff.add(f"{name}/same_f64", name, [a.double(), a.double().flip(-1)], fn(a.double(), a.double().flip(-1)))
    ff.add(f"{name}/scalar_rhs", name, [a, torch.tensor(0.75)], fn(a, torch.tensor(0.75)))
for name in ("add", "sub", "mul", "maximum", "minimum", "remainder", "floor_divide", "lt", "ge"):
    ia, ib = ints(-7, 8, 3, 4), ints(1, 5, 4)
    ff.add(f"{name}/int64", name, [ia, ib], binary[name](ia, ib))
ia, fb = ints(-7, 8, 3, 4), rnd(4)
ff.add("add/int_float_promotes", "add", [ia, fb], ia + fb)
idv = ints(1, 5, 4)
ff.add("div/int_true_division", "div", [ia, idv], torch.div(ia, idv))
ff.add("maximum/nan_propagates", "maximum", [torch.tensor([1.0, float("nan"), 3.0]), torch.tensor([2.0, 0.0, float("nan")])],
       torch.maximum(torch.tensor([1.0, float("nan"), 3.0]), torch.tensor([2.0, 0.0, float("nan")])))
ea, eb = ints(-2, 3, 3, 5).float(), ints(-2, 3, 5).float()
ff.add("eq/broadcast", "eq", [ea, eb], torch.eq(ea.round(), eb.round()))
ff.add("ne/broadcast", "ne", [ea, eb], torch.ne(ea.round(), eb.round()))
for name, fn in (("logical_and", torch.logical_and), ("logical_or", torch.logical_or), ("logical_xor", torch.logical_xor)):
    la, lb = rnd(3, 4), rnd(4)
    ff.add(f"{name}/broadcast", name, [la, lb], fn(la > 0, lb > 0))
cond, wa, wb = rnd(3, 1) > 0, rnd(3, 4), rnd(4)
ff.add("where/broadcast", "where", [cond, wa, wb], torch.where(cond, wa, wb))

# ---------------------------------------------------------------- reductions
x = rnd(3, 4, 5)
for name, fn in (("sum", torch.sum), ("mean", torch.mean), ("amax", torch.amax), ("amin", torch.amin),
                 ("logsumexp", torch.logsumexp)):
    if name not in ("logsumexp",):
        ff.add(f"{name}/all", name, [x], fn(x) if name in ("sum", "mean") else fn(x, dim=(0, 1, 2)))
    ff.add(f"{name}/dim1", name, [x], fn(x, dim=1), dim=[1])
    ff.add(f"{name}/dims02_keep", name, [x], fn(x, dim=(0, 2), keepdim=True), dim=[0, 2], keepdim=True)
    ff.add(f"{name}/neg_dim_strided", name, [x.transpose(0, 2)], fn(x.transpose(0, 2), dim=-1), dim=[-1])
xi = ints(-9, 10, 4, 6)
ff.add("sum/int64", "sum", [xi], torch.sum(xi, dim=1), dim=[1])
ff.add("sum/bool", "sum", [xi > 0], torch.sum(xi > 0))
big = rnd(20000)
ff.add("sum/long_row", "sum", [big], torch.sum(big.double()).float())
for name, fn in (("var", torch.var), ("std", torch.std)):
    ff.add(f"{name}/all", name, [x], fn(x))
    ff.add(f"{name}/dim0_keep", name, [x], fn(x, dim=0, keepdim=True), dim=[0], keepdim=True)
    ff.add(f"{name}/dim2_biased", name, [x], fn(x, dim=2, unbiased=False), dim=[2], correction=0)
ff.add("norm/p2_all", "norm", [x], torch.norm(x), p=2.0)
ff.add("norm/p1_dim", "norm", [x], torch.norm(x, p=1, dim=1), p=1.0, dim=[1])
ff.add("norm/inf_dim", "norm", [x], torch.norm(x, p=float("inf"), dim=-1, keepdim=True), p="inf", dim=[-1], keepdim=True)
ff.add("norm/p3", "norm", [x], torch.norm(x, p=3, dim=(0, 2)), p=3.0, dim=[0, 2])
pp = rnd(3, 4, lo=0.5, hi=1.5)
ff.add("prod/all", "prod", [pp], torch.prod(pp))
ff.add("prod/dim", "prod", [pp], torch.prod(pp, dim=1, keepdim=True), dim=1, keepdim=True)
mv = rnd(4, 7)
mv[1, 3] = float("nan")
vals, idx = torch.max(mv, dim=1)
ff.add("max/dim_nan", "max", [mv], [vals, idx], dim=1)
vals, idx = torch.min(mv, dim=0, keepdim=True)
ff.add("min/dim0_keep", "min", [mv], [vals, idx], dim=0, keepdim=True)
ties = torch.tensor([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 1.0, 5.0]])
vals, idx = torch.max(ties, dim=1)
ff.add("max/ties_first", "max", [ties], [vals, idx], dim=1)
ff.add("max/all", "max", [x], torch.max(x))
ff.add("min/all", "min", [x], torch.min(x))
ff.add("argmax/all", "argmax", [x], torch.argmax(x))
ff.add("argmax/dim", "argmax", [x], torch.argmax(x, dim=2, keepdim=True), dim=2, keepdim=True)
ff.add("argmin/dim", "argmin", [x], torch.argmin(x, dim=0), dim=0)
bb = rnd(3, 4) > 0.5
ff.add("any/all", "any", [bb], torch.any(bb))
ff.add("any/dim", "any", [bb], torch.any(bb, dim=1), dim=1)
ff.add("all/dim", "all", [bb], torch.all(bb, dim=0), dim=0)
sx = rnd(3, 5, 7) * 4
ff.add("softmax/last", "softmax", [sx], torch.softmax(sx, dim=-1), dim=-1)
ff.add("softmax/dim1", "softmax", [sx], torch.softmax(sx, dim=1), dim=1)
ff.add("log_softmax/last", "log_softmax", [sx], torch.log_softmax(sx, dim=-1), dim=-1)
ff.add("log_softmax/dim0_f64", "log_softmax", [sx.double()], torch.log_softmax(sx.double(), dim=0), dim=0)
ff.add("cumsum/dim1", "cumsum", [sx], torch.cumsum(sx, dim=1), dim=1)
ci = ints(-5, 6, 3, 6)
ff.add("cumsum/int", "cumsum", [ci], torch.cumsum(ci, dim=-1), dim=-1)

# ---------------------------------------------------------------- linear algebra
for name, (sa, sb) in {"2d": ((5, 7), (7, 3)), "batched_broadcast": ((2, 1, 4, 6), (3, 6, 5)),
                       "vec_mat": ((6,), (2, 6, 4)), "mat_vec": ((4, 6), (6,)), "vec_vec": ((9,), (9,)),
                       "odd_sizes": ((13, 37), (37, 19))}.items():
    a, c = rnd(*sa), rnd(*sb)
    ff.add(f"matmul/{name}", "matmul", [a, c], torch.matmul(a, c))
a, c = rnd(6, 5), rnd(4, 6)
ff.add("matmul/transposed_views", "matmul", [a.t(), c.t()], torch.matmul(a.t(), c.t()))
ff.add("matmul/f64", "matmul", [a.double().t(), c.double().t()], torch.matmul(a.double().t(), c.double().t()))
m = rnd(2, 4, 4, dtype=torch.float64) + 4 * torch.eye(4, dtype=torch.float64)
ff.add("linalg_inv/batched", "linalg_inv", [m], torch.linalg.inv(m))
rhs = rnd(2, 4, 3, dtype=torch.float64)
ff.add("linalg_solve/batched", "linalg_solve", [m, rhs], torch.linalg.solve(m, rhs))

# ---------------------------------------------------------------- views
v = rnd(3, 4, 5)
ff.add("reshape/infer", "reshape", [v], v.reshape(-1, 10), shape=[-1, 10])
ff.add("reshape/of_transposed", "reshape", [v.transpose(0, 2)], v.transpose(0, 2).reshape(5, 12), shape=[5, 12])
ff.add("permute/201", "permute", [v], v.permute(2, 0, 1), dims=[2, 0, 1])
ff.add("transpose/0m1", "transpose", [v], v.transpose(0, -1), dim0=0, dim1=-1)
ff.add("narrow/d1", "narrow", [v], v.narrow(1, 1, 2), dim=1, start=1, length=2)
ff.add("slice/step2", "slice", [v], v[:, 1:4:2], dim=1, start=1, end=4, step=2)
ff.add("slice/negative", "slice", [v], v[-2:-1], dim=0, start=-2, end=-1, step=1)
e = rnd(3, 1)
ff.add("expand/lead", "expand", [e], e.expand(2, 3, 4), size=[2, 3, 4])
sq = rnd(3, 1, 2, 1)
ff.add("squeeze/all", "squeeze", [sq], sq.squeeze())
ff.add("squeeze/dim", "squeeze", [sq], sq.squeeze(1), dim=1)
ff.add("unsqueeze/last", "unsqueeze", [v], v.unsqueeze(-1), dim=-1)
ff.add("flatten/from1", "flatten", [v], v.flatten(1), start_dim=1)
ff.add("contiguous/transposed", "contiguous", [v.transpose(1, 2)], v.transpose(1, 2).contiguous())

# ---------------------------------------------------------------- indexing
x = rnd(4, 5, 3)
ix = ints(-5, 5, 7)
ix = ints(0, 5, 7)
ff.add("index_select/dim1", "index_select", [x, ix], torch.index_select(x, 1, ix), dim=1)
x2 = rnd(4, 5)
gi = ints(0, 5, 4, 3)
ff.add("gather/dim1", "gather", [x2, gi], torch.gather(x2, 1, gi), dim=1)
gi0 = ints(0, 4, 2, 5)
ff.add("gather/dim0", "gather", [x2, gi0], torch.gather(x2, 0, gi0), dim=0)
si = torch.randperm(5, generator=g)[:3].unsqueeze(1).expand(3, 4).contiguous()
src = rnd(3, 4)
base = rnd(5, 4)
ff.add("scatter/dim0", "scatter", [base, si, src], base.scatter(0, si, src), dim=0)
sai, sas = ints(0, 4, 3, 6), rnd(3, 6)
sab = rnd(3, 4)
ff.add("scatter_add/dim1", "scatter_add", [sab, sai, sas], sab.scatter_add(1, sai, sas), dim=1)
for red in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        rb, ri, rs = rnd(4, 3), ints(0, 4, 6, 3), rnd(6, 3)
        ff.add(f"scatter_reduce/{red}_{inc}", "scatter_reduce", [rb, ri, rs],
               rb.scatter_reduce(0, ri, rs, reduce=red, include_self=inc), dim=0, reduce=red, include_self=inc)
# torch_scatter.scatter_max semantics (torch 1.13 has no such op): empty slots get 0 and argmax = src.size(dim)
sm_src, sm_idx = rnd(8, 3), ints(0, 4, 8, 3)
sm_src[5, 1] = sm_src[2, 1] if sm_idx[5, 1] == sm_idx[2, 1] else sm_src[5, 1]
sm_val = torch.zeros(5, 3)
sm_arg = torch.full((5, 3), 8, dtype=torch.int64)
for j in range(3):
    for slot in range(5):
        members = [i for i in range(8) if sm_idx[i, j] == slot]
        if members:
            best = max(members, key=lambda i: (sm_src[i, j].item(), -i))
            sm_val[slot, j] = sm_src[best, j]
            sm_arg[slot, j] = best
ff.add("scatter_max/dim0", "scatter_max", [sm_src, sm_idx], [sm_val, sm_arg], dim=0, dim_size=5)
ib, ii, iv = rnd(4, 3), ints(0, 4, 5), rnd(5, 3)
ff.add("index_put/accumulate_rows", "index_put", [ib, iv, ii], ib.index_put((ii,), iv, accumulate=True), accumulate=True)
i0, i1, iv2 = ints(0, 4, 6), ints(0, 3, 6), rnd(6)
ff.add("index_put/accumulate_points", "index_put", [ib, iv2, i0, i1], ib.index_put((i0, i1), iv2, accumulate=True), accumulate=True)
u0 = torch.tensor([3, 0, 2])
uv = rnd(3, 3)
ff.add("index_put/assign_unique", "index_put", [ib, uv, u0], ib.index_put((u0,), uv), accumulate=False)
mx, mm = rnd(3, 4), rnd(4) > 0
ff.add("masked_select/broadcast", "masked_select", [mx, mm], torch.masked_select(mx, mm))
ff.add("masked_fill/broadcast", "masked_fill", [mx, mm], mx.masked_fill(mm, -1.5), value=-1.5)
nz = rnd(3, 4, 2) > 0.5
ff.add("nonzero/3d", "nonzero", [nz], torch.nonzero(nz))
c1, c2, c3 = rnd(2, 3), rnd(2, 1), rnd(2, 4)
ff.add("cat/dim1", "cat", [c1, c2, c3], torch.cat([c1, c2, c3], dim=1), dim=1)
s1, s2 = rnd(2, 3), rnd(2, 3)
ff.add("stack/dim1", "stack", [s1, s2], torch.stack([s1, s2], dim=1), dim=1)
sp = rnd(2, 5)
ff.add("split/size2", "split", [sp], list(torch.split(sp, 2, dim=1)), split_size_or_sections=2, dim=1)
sp2 = rnd(4, 2)
ff.add("split/sections", "split", [sp2], list(torch.split(sp2, [1, 3], dim=0)), split_size_or_sections=[1, 3], dim=0)
ch = rnd(7, 2)
ff.add("chunk/3", "chunk", [ch], list(torch.chunk(ch, 3, dim=0)), chunks=3, dim=0)

# ---------------------------------------------------------------- sorting
so = rnd(4, 9)
so[1, 2] = float("nan")
v_, i_ = torch.sort(so, dim=-1, descending=True, stable=True)
ff.add("sort/desc_nan", "sort", [so], [v_, i_], dim=-1, descending=True, stable=True)
v_, i_ = torch.sort(so, dim=0, stable=True)
ff.add("sort/dim0_nan", "sort", [so], [v_, i_], dim=0, stable=True)
st = ints(0, 3, 6, 2)
v_, i_ = torch.sort(st, dim=0, stable=True)
ff.add("sort/int_ties_stable", "sort", [st], [v_, i_], dim=0, stable=True)
ar = rnd(3, 7)
ff.add("argsort/last", "argsort", [ar], torch.argsort(ar, dim=-1), dim=-1)
tk = rnd(4, 9)
v_, i_ = torch.topk(tk, 3, dim=-1)
ff.add("topk/largest", "topk", [tk], [v_, i_], k=3, dim=-1)
tk2 = rnd(5, 3)
v_, i_ = torch.topk(tk2, 2, dim=0, largest=False)
ff.add("topk/smallest_dim0", "topk", [tk2], [v_, i_], k=2, dim=0, largest=False)
uq = ints(0, 6, 4, 5)
u, inv, cnt = torch.unique(uq, sorted=True, return_inverse=True, return_counts=True)
ff.add("unique/int", "unique", [uq], [u, inv, cnt], sorted=True, return_inverse=True, return_counts=True)
uf = torch.tensor([[1.5, -0.5, 1.5], [2.0, -0.5, 0.0]])
u, inv, cnt = torch.unique(uf, sorted=True, return_inverse=True, return_counts=True)
ff.add("unique/float", "unique", [uf], [u, inv, cnt], sorted=True, return_inverse=True, return_counts=True)

# ---------------------------------------------------------------- creation
ff.add("arange/int", "arange", [], torch.arange(0, 7, 2), start=0, end=7, step=2, dtype="int64")
ff.add("arange/float", "arange", [], torch.arange(-1.0, 1.0, 0.25), start=-1.0, end=1.0, step=0.25, dtype="float32")
ff.add("linspace/7", "linspace", [], torch.linspace(-1.0, 2.0, 7), start=-1.0, end=2.0, steps=7)
ff.add("linspace/odd", "linspace", [], torch.linspace(0.1, 0.7, 13), start=0.1, end=0.7, steps=13)
ff.add("eye/3x4", "eye", [], torch.eye(3, 4), n=3, m=4)
ff.add("full/2x3", "full", [], torch.full((2, 3), 1.5), size=[2, 3], fill_value=1.5)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
ff.write(OUT)
