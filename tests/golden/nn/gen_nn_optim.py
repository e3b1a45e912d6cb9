"""Golden fixtures for optimizers, learning-rate schedules and gradient clipping (/usr/bin/python3, torch 1.13).

Run from anywhere:  /usr/bin/python3 tests/golden/nn/gen_nn_optim.py
Writes tests/src/test/resources/golden-nn/nn_optim.safetensors (names and formulae: tests/golden/nn/README.md).

Problem: a Linear(6, 3) (state-dict keys weight [3,6], bias [3]) with PyTorch's default init under
torch.manual_seed(0), fixed data x [8,6], y [8,3] and loss = mse_loss(model(x), y) (mean). Each optimizer starts
from the same initial parameters and runs 5 steps of: zero_grad, forward, loss, backward, step.

OpenPCDet's "adam_onecycle" is re-implemented here from its documented behaviour (no OpenPCDet code is used):
  * OneCycle over total_steps T with lr_max, moms = (m_hi, m_lo) = (0.95, 0.85), div_factor, pct_start:
      low = lr_max / div_factor,  s1 = int(pct_start * T)   (integer truncation)
      cos_anneal(a, b, p) = b + (a - b) / 2 * (1 + cos(pi * p))
      step t <  s1:  p = t / s1;            lr = cos_anneal(low, lr_max, p);        mom = cos_anneal(m_hi, m_lo, p)
      step t >= s1:  p = (t - s1) / (T - s1); lr = cos_anneal(lr_max, low / 1e4, p); mom = cos_anneal(m_lo, m_hi, p)
    The training loop sets the schedule for the current accumulated iteration t (0-based) BEFORE the forward
    pass of that iteration, so optimizer step number t uses lr(t), mom(t).
  * The optimizer is torch.optim.Adam(betas=(mom, 0.99), eps=1e-8, weight_decay=0) wrapped so that
    (true_wd=True, bn_wd=True) every trainable parameter, BatchNorm ones included, is first decayed in place,
    p <- p * (1 - wd * lr(t)), and then the plain Adam step runs with lr(t) and beta1 = mom(t). Adam's bias
    correction uses the CURRENT beta1: m_hat = m / (1 - mom(t)^k), k = the 1-based Adam step count.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nn_common import NnFixture, out_path

STEPS = 5
T = 20


def problem():
    torch.manual_seed(0)
    model = nn.Linear(6, 3)
    g = torch.Generator().manual_seed(5)
    x = torch.randn(8, 6, generator=g)
    y = torch.randn(8, 3, generator=g)
    return model, x, y


def run_optimizer(f, case, make_opt, info):
    model, x, y = problem()
    opt = make_opt(model.parameters())
    losses = []
    for k in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for n, p in model.named_parameters():
            f.put(f"{case}/step{k}/grad.{n}", p.grad)
        opt.step()
        for n, p in model.named_parameters():
            f.put(f"{case}/step{k}/{n}", p)
    f.put(f"{case}/losses", torch.tensor(losses, dtype=torch.float32))
    params = dict(model.named_parameters())
    for p_obj, st in opt.state.items():
        name = next(n for n, p in params.items() if p is p_obj)
        for sk, sv in st.items():
            if isinstance(sv, torch.Tensor) and sv.dim() > 0:
                f.put(f"{case}/final_state/{sk}.{name}", sv)
            elif sk == "step":
                f.put(f"{case}/final_state/step.{name}", torch.tensor(float(sv), dtype=torch.float32))
    f.info(case, steps=STEPS, loss="mse_loss(linear(x), y), mean", **info)


def optimizer_cases(f):
    model, x, y = problem()
    f.put("data/x", x)
    f.put("data/y", y)
    f.put("init/weight", model.weight)
    f.put("init/bias", model.bias)
    f.info("data", note="x, y and the initial Linear(6,3) parameters shared by every optimizer case")
    run_optimizer(f, "adamw", lambda p: torch.optim.AdamW(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8,
                                                           weight_decay=0.01, amsgrad=False),
                  dict(optimizer="AdamW", lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01, amsgrad=False))
    run_optimizer(f, "adamw_amsgrad", lambda p: torch.optim.AdamW(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8,
                                                                   weight_decay=0.01, amsgrad=True),
                  dict(optimizer="AdamW", lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01, amsgrad=True))
    run_optimizer(f, "adam_wd", lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8,
                                                            weight_decay=0.01),
                  dict(optimizer="Adam", lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01, amsgrad=False,
                       note="L2: weight_decay * p is added to the gradient before the moments"))
    run_optimizer(f, "adam", lambda p: torch.optim.Adam(p, lr=1e-2),
                  dict(optimizer="Adam", lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0, amsgrad=False))
    run_optimizer(f, "sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0,
                                                                nesterov=True, weight_decay=1e-4),
                  dict(optimizer="SGD", lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=1e-4))
    run_optimizer(f, "sgd_momentum", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1,
                                                                weight_decay=1e-3),
                  dict(optimizer="SGD", lr=0.05, momentum=0.9, dampening=0.1, nesterov=False, weight_decay=1e-3))
    run_optimizer(f, "sgd_plain", lambda p: torch.optim.SGD(p, lr=0.1),
                  dict(optimizer="SGD", lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0))


# ---------------------------------------------------------------- OpenPCDet adam_onecycle, re-derived

def cos_anneal(a, b, p):
    return b + (a - b) / 2.0 * (float(np.cos(np.pi * p)) + 1.0)


def pcdet_onecycle(t, total, lr_max, moms, div_factor, pct_start):
    low = lr_max / div_factor
    s1 = int(pct_start * total)
    if t < s1:
        p = t / s1
        return cos_anneal(low, lr_max, p), cos_anneal(moms[0], moms[1], p)
    p = (t - s1) / (total - s1)
    return cos_anneal(lr_max, low / 1e4, p), cos_anneal(moms[1], moms[0], p)


def manual_adam_step(p, grad, m, v, k, lr, beta1, beta2, eps):
    """Plain-tensor Adam (torch 1.13's formula), used only to cross-check the torch.optim.Adam path."""
    m.mul_(beta1).add_(grad, alpha=1 - beta1)
    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    bc1 = 1 - beta1 ** k
    bc2 = 1 - beta2 ** k
    denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
    p.addcdiv_(m, denom, value=-lr / bc1)


def onecycle_case(f):
    lr_max, moms, div_factor, pct_start, wd, beta2 = 0.01, (0.95, 0.85), 10.0, 0.4, 0.01, 0.99
    sched = [pcdet_onecycle(t, T, lr_max, moms, div_factor, pct_start) for t in range(T)]
    f.put("pcdet_onecycle/lr", torch.tensor([s[0] for s in sched], dtype=torch.float64))
    f.put("pcdet_onecycle/mom", torch.tensor([s[1] for s in sched], dtype=torch.float64))

    model, x, y = problem()
    opt = torch.optim.Adam(model.parameters(), lr=0.0, betas=(moms[0], beta2), eps=1e-8, weight_decay=0.0)
    # the same run with plain tensors, as a cross-check of the semantics
    shadow = {n: p.detach().clone() for n, p in model.named_parameters()}
    m = {n: torch.zeros_like(p) for n, p in shadow.items()}
    v = {n: torch.zeros_like(p) for n, p in shadow.items()}
    losses, norms = [], []
    for k in range(STEPS):
        lr, mom = sched[k]
        for group in opt.param_groups:
            group["lr"] = lr
            group["betas"] = (mom, beta2)
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y)
        loss.backward()
        losses.append(loss.item())
        norms.append(torch.norm(torch.stack([p.grad.norm() for p in model.parameters()])).item())
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
        for n, gr in grads.items():
            f.put(f"pcdet_onecycle/step{k}/grad.{n}", gr)
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(1 - wd * lr)  # decoupled ("true") weight decay, before the Adam step
        opt.step()
        for n, p in model.named_parameters():
            f.put(f"pcdet_onecycle/step{k}/{n}", p)
            sp = shadow[n]
            sp.mul_(1 - wd * lr)
            manual_adam_step(sp, grads[n], m[n], v[n], k + 1, lr, mom, beta2, 1e-8)
            assert torch.allclose(sp, p.detach(), rtol=0, atol=1e-7), (k, n)
    # OpenPCDet clips the gradient norm at GRAD_NORM_CLIP = 10 before each step; here that is a no-op:
    assert max(norms) < 10.0, norms
    f.put("pcdet_onecycle/losses", torch.tensor(losses, dtype=torch.float32))
    f.info("pcdet_onecycle", total_steps=T, steps=STEPS, lr_max=lr_max, moms=list(moms), div_factor=div_factor,
           pct_start=pct_start, weight_decay=wd, true_wd=True, bn_wd=True,
           optimizer="Adam(betas=(mom(t), 0.99), eps=1e-8, weight_decay=0)",
           lr_formula="s1=int(pct_start*T); t<s1: p=t/s1, lr=cos_anneal(lr_max/div, lr_max, p); "
                      "t>=s1: p=(t-s1)/(T-s1), lr=cos_anneal(lr_max, lr_max/div/1e4, p); "
                      "cos_anneal(a,b,p)=b+(a-b)/2*(1+cos(pi*p))",
           mom_formula="t<s1: cos_anneal(0.95, 0.85, t/s1); t>=s1: cos_anneal(0.85, 0.95, (t-s1)/(T-s1))",
           step="p *= (1 - wd*lr(t)) for every param, then Adam step with lr(t), beta1=mom(t)",
           grad_clip="none (OpenPCDet's clip_grad_norm_ at 10 would not change these grads)",
           loss="mse_loss(linear(x), y), mean; same data/init as the optimizer cases")


# ---------------------------------------------------------------- schedules

def schedule_cases(f):
    base = 0.01

    # torch OneCycleLR with Adam: cycle_momentum drives betas[0]
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=base)
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=base, total_steps=T, pct_start=0.4, anneal_strategy="cos",
                                              cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                                              div_factor=10.0, final_div_factor=1e4, three_phase=False)
    lrs, moms = [], []
    for _ in range(T):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["betas"][0])
        opt.step()
        sch.step()
    f.put("torch_onecycle/lr", torch.tensor(lrs, dtype=torch.float64))
    f.put("torch_onecycle/mom", torch.tensor(moms, dtype=torch.float64))
    f.info("torch_onecycle", scheduler="OneCycleLR", max_lr=base, total_steps=T, pct_start=0.4, div_factor=10.0,
           final_div_factor=1e4, anneal_strategy="cos", three_phase=False, cycle_momentum=True,
           base_momentum=0.85, max_momentum=0.95, optimizer="Adam (momentum = betas[0])",
           note="entry t = the lr / beta1 in effect for optimizer step t (after t scheduler.step() calls); "
                "phase 1 ends at step pct_start*T-1 = 7, phase 2 at T-1 = 19, "
                "pct = (t-start)/(end-start), initial_lr = max_lr/div, min_lr = initial_lr/final_div")

    def lambda_series(fn):
        q = torch.zeros(1, requires_grad=True)
        o = torch.optim.SGD([q], lr=base)
        s = torch.optim.lr_scheduler.LambdaLR(o, lambda t: fn(t) / base)
        out = []
        for _ in range(T):
            out.append(o.param_groups[0]["lr"])
            o.step()
            s.step()
        return out

    # cosine with linear warm-up (this project's formula)
    W, r, eta_min = 4, 0.1, 1e-4

    def warm_cos(t):
        if t < W:
            return base * (r + (1 - r) * t / W)
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2

    series = [warm_cos(t) for t in range(T)]
    assert np.allclose(series, lambda_series(warm_cos), rtol=1e-12, atol=0)
    f.put("cosine_warmup/lr", torch.tensor(series, dtype=torch.float64))
    f.info("cosine_warmup", base_lr=base, total_steps=T, warmup_steps=W, warmup_ratio=r, eta_min=eta_min,
           formula="t<W: lr = base*(r + (1-r)*t/W); t>=W: lr = eta_min + (base-eta_min)*(1+cos(pi*(t-W)/(T-W)))/2")

    # OpenPCDet's CosineWarmupLR (LR_WARMUP of its non-onecycle optimizers), T_max = 4, eta_min = base/10
    tmax, emin = 4, base / 10

    def pcdet_warm(t):
        return emin + (base - emin) * (1 - math.cos(math.pi * t / tmax)) / 2

    f.put("pcdet_cosine_warmup/lr", torch.tensor([pcdet_warm(t) for t in range(tmax + 1)], dtype=torch.float64))
    f.info("pcdet_cosine_warmup", base_lr=base, T_max=tmax, eta_min=emin,
           formula="lr(t) = eta_min + (base-eta_min)*(1-cos(pi*t/T_max))/2, t = 0..T_max")

    # OpenPCDet's LambdaLR step decay: factor = max(prod of LR_DECAY over passed decay steps, LR_CLIP/LR)
    decay_steps, decay, clip = [8, 14], 0.1, 5e-5

    def pcdet_step(t):
        fct = 1.0
        for d in decay_steps:
            if t >= d:
                fct *= decay
        return base * max(fct, clip / base)

    series = lambda_series(pcdet_step)
    f.put("pcdet_step_decay/lr", torch.tensor(series, dtype=torch.float64))
    f.info("pcdet_step_decay", base_lr=base, decay_steps=decay_steps, lr_decay=decay, lr_clip=clip,
           formula="lr(t) = base * max(lr_decay^(#decay_steps d with t >= d), lr_clip/base)")

    # StepLR and CosineAnnealingLR (torch's recursive form)
    for case, mk, info in (
            ("steplr", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.5),
             dict(scheduler="StepLR", step_size=5, gamma=0.5, formula="lr(t) = base * gamma^floor(t/step_size)")),
            ("cosine_annealing", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=1e-4),
             dict(scheduler="CosineAnnealingLR", T_max=T, eta_min=1e-4,
                  formula="torch's recursive get_lr; equals eta_min+(base-eta_min)*(1+cos(pi*t/T_max))/2 "
                          "to ~1e-17"))):
        q = torch.zeros(1, requires_grad=True)
        o = torch.optim.SGD([q], lr=base)
        s = mk(o)
        out = []
        for _ in range(T):
            out.append(o.param_groups[0]["lr"])
            o.step()
            s.step()
        f.put(f"{case}/lr", torch.tensor(out, dtype=torch.float64))
        f.info(case, base_lr=base, steps=T, **info)


def clip_cases(f):
    g = torch.Generator().manual_seed(7)
    grads = [torch.randn(3, 4, generator=g) * 2, torch.randn(5, generator=g), torch.randn(2, 2, 2, generator=g) * 0.5]
    for i, gr in enumerate(grads):
        f.put(f"clip/grad{i}", gr)
    f.info("clip", note="the three input gradients shared by the clip_* cases")
    for case, max_norm, norm_type in (("clip_l2", 1.0, 2.0), ("clip_l2_noop", 100.0, 2.0),
                                      ("clip_inf", 0.5, float("inf")), ("clip_l1", 2.0, 1.0)):
        ps = []
        for gr in grads:
            p = torch.zeros_like(gr, requires_grad=True)
            p.grad = gr.clone()
            ps.append(p)
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm=max_norm, norm_type=norm_type)
        f.put(f"{case}/total_norm", total)
        for i, p in enumerate(ps):
            f.put(f"{case}/clipped{i}", p.grad)
        f.info(case, max_norm=max_norm, norm_type="inf" if math.isinf(norm_type) else norm_type,
               error_if_nonfinite=False,
               formula="total = norm over the per-tensor norms; coef = min(max_norm/(total+1e-6), 1); g *= coef")


def main():
    f = NnFixture()
    optimizer_cases(f)
    onecycle_case(f)
    schedule_cases(f)
    clip_cases(f)
    f.write(out_path("nn_optim.safetensors"))


if __name__ == "__main__":
    main()
