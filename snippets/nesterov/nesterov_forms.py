"""Nesterov momentum in three spellings: Sutskever's lookahead, Bengio's shifted form, PyTorch."""

import json
import os
from pathlib import Path

import torch

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"

# A smooth, non-quadratic loss: L2-regularised logistic regression on random data (float64).
X = torch.randn(64, 5, dtype=torch.float64, device=device)
y = torch.sign(X @ torch.randn(5, dtype=torch.float64, device=device) + 0.3)


def loss_fn(w):
    return torch.nn.functional.softplus(-y * (X @ w)).mean() + 0.05 * (w**2).sum()


def grad(w):
    w = w.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(w), w)
    return g


# --8<-- [start:sutskever]
def nesterov_sutskever(grad, theta, lr, mu, steps, rescale=False, shift_theta=True):
    """v <- mu v - lr grad(theta + mu v);  theta <- theta + v.  Returns every theta and v.

    rescale: when lr changes, multiply v by lr_new / lr_old (what PyTorch's buffer does), and,
    with shift_theta, move theta by mu (v_old - v_new) so that theta + mu v stays put."""
    v = torch.zeros_like(theta)
    thetas, vs = [theta], [v]
    for k in range(steps):
        lr_k = lr(k) if callable(lr) else lr
        if rescale and k > 0 and lr_k != lr(k - 1):
            v_new = v * lr_k / lr(k - 1)
            if shift_theta:
                theta = theta + mu * (v - v_new)
            v = v_new
        v = mu * v - lr_k * grad(theta + mu * v)  # gradient at the lookahead point
        theta = theta + v
        thetas.append(theta)
        vs.append(v)
    return torch.stack(thetas), torch.stack(vs)


# --8<-- [end:sutskever]


# --8<-- [start:bengio]
def nesterov_bengio(grad, Theta, lr, mu, steps, rescale=False):
    """Theta = theta + mu v:  v <- mu v - lr g;  Theta <- Theta + mu v - lr g,  g = grad(Theta).

    rescale: when lr changes, multiply v by lr_new / lr_old (what PyTorch's buffer does)."""
    v = torch.zeros_like(Theta)
    Thetas, vs = [Theta], [v]
    for k in range(steps):
        lr_k = lr(k) if callable(lr) else lr
        if rescale and k > 0 and lr_k != lr(k - 1):
            v = v * lr_k / lr(k - 1)
        g = grad(Theta)  # the gradient where the parameters are: no lookahead needed
        v = mu * v - lr_k * g
        Theta = Theta + mu * v - lr_k * g
        Thetas.append(Theta)
        vs.append(v)
    return torch.stack(Thetas), torch.stack(vs)


# --8<-- [end:bengio]


# --8<-- [start:pytorch]
def nesterov_pytorch(loss_fn, p0, lr, mu, steps):
    """torch.optim.SGD(nesterov=True). Returns every parameter p_k and momentum buffer b_k."""
    p = p0.clone().requires_grad_(True)
    opt = torch.optim.SGD([p], lr=lr(0) if callable(lr) else lr, momentum=mu, nesterov=True)
    ps, bufs = [p0.clone()], [torch.zeros_like(p0)]
    for k in range(steps):
        if callable(lr):
            opt.param_groups[0]["lr"] = lr(k)
        opt.zero_grad()
        loss_fn(p).backward()
        opt.step()
        ps.append(p.detach().clone())
        bufs.append(opt.state[p]["momentum_buffer"].clone())
    return torch.stack(ps), torch.stack(bufs)


# --8<-- [end:pytorch]


def max_abs(a, b):
    return (a - b).abs().max().item()


if __name__ == "__main__":
    # --8<-- [start:compare]
    lr, mu, steps = 0.5, 0.9, 200
    w0 = torch.zeros(5, dtype=torch.float64, device=device)
    theta, v = nesterov_sutskever(grad, w0, lr, mu, steps)
    Theta, v_b = nesterov_bengio(grad, w0, lr, mu, steps)
    p, buf = nesterov_pytorch(loss_fn, w0, lr, mu, steps)

    # The dictionary between the three: Theta = theta + mu v,  p = Theta,  v = -lr * buf.
    gap_forms, gap_velocity = max_abs(Theta, theta + mu * v), max_abs(v_b, v)
    gap_torch, gap_buffer = max_abs(p, Theta), max_abs(-lr * buf, v_b)
    gap_theta = max_abs(p, theta)  # PyTorch's tensor against Sutskever's theta
    f_theta = {k: loss_fn(theta[k]).item() for k in (10, steps)}
    f_p = {k: loss_fn(p[k]).item() for k in (10, steps)}
    print(f"device {device}, float64, {steps} steps, lr {lr}, momentum {mu}")
    print(f"max |Theta_bengio - (theta + mu v)_sutskever| = {gap_forms:.1e}")
    print(f"max |v_bengio - v_sutskever|                  = {gap_velocity:.1e}")
    print(f"max |p_pytorch - Theta_bengio|                = {gap_torch:.1e}")
    print(f"max |-lr * buf_pytorch - v_bengio|            = {gap_buffer:.1e}")
    print(f"max |p_pytorch - theta_sutskever|             = {gap_theta:.1e}  (not a bug)")
    for k in (10, steps):
        print(f"{f'step {k}:':<10}f(theta) = {f_theta[k]:.6f}   f(p) = {f_p[k]:.6f}")
    # --8<-- [end:compare]
    gap_theta_end = max_abs(p[-1], theta[-1])  # the velocity has died out
    gap_recovered = max_abs(theta, p + mu * lr * buf)  # theta from PyTorch's state

    # --8<-- [start:schedule]
    # Where the forms do part: the learning rate changes mid-run (step decay at step 10).
    def step_decay(k):
        return 0.5 if k < 10 else 0.05

    theta, v = nesterov_sutskever(grad, w0, step_decay, mu, steps)
    p, buf = nesterov_pytorch(loss_fn, w0, step_decay, mu, steps)
    gap = (p - (theta + mu * v)).abs().amax(dim=1)
    gap_upto = {k: gap[: k + 1].max().item() for k in (10, 11, 20, 50, 200)}
    print("lr 0.5 -> 0.05 at step 10:  max |p_pytorch - (theta + mu v)_sutskever| up to step k")
    for k, g in gap_upto.items():
        print(f"  k = {k:3d}   {g:.1e}")

    # Rescaling v by lr_new / lr_old at the change: enough in the stored-lookahead form; in
    # Sutskever's form theta must also move by mu (v_old - v_new).
    Theta_r, _ = nesterov_bengio(grad, w0, step_decay, mu, steps, rescale=True)
    th_v, v_v = nesterov_sutskever(grad, w0, step_decay, mu, steps, rescale=True, shift_theta=False)
    th_s, v_s = nesterov_sutskever(grad, w0, step_decay, mu, steps, rescale=True)
    rescaled = {
        "stored-lookahead form (Theta)": max_abs(p, Theta_r),
        "Sutskever's form (theta + mu v), v only": max_abs(p, th_v + mu * v_v),
        "Sutskever's form, also theta += mu (v_old - v_new)": max_abs(p, th_s + mu * v_s),
    }
    print("v rescaled by lr_new / lr_old at the change: max |p_pytorch - lookahead point|")
    for name, g in rescaled.items():
        print(f"  {name:<51s}{g:.1e}")
    # --8<-- [end:schedule]

    results = {
        "gap_forms": gap_forms,  # maxima over the 200 steps at a constant lr
        "gap_velocity": gap_velocity,
        "gap_torch": gap_torch,
        "gap_buffer": gap_buffer,
        "gap_theta": gap_theta,
        "gap_theta_end": gap_theta_end,
        "gap_recovered": gap_recovered,
        "f_theta": {f"step_{k}": f for k, f in f_theta.items()},
        "f_p": {f"step_{k}": f for k, f in f_p.items()},
        # the loss at theta and at PyTorch's tensor: the same to the 6 decimals printed
        "losses_meet": f"{f_theta[steps]:.6f}" == f"{f_p[steps]:.6f}",
        "schedule_gap": {str(k): g for k, g in gap_upto.items()},  # lr dropped at step 10
        "rescaled": dict(
            zip(("stored_lookahead", "v_only", "theta_shifted"), rescaled.values(), strict=True)
        ),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
