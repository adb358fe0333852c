"""Linear regression y = 2x + 1, recovered by torch.optim.SGD with momentum 0.9."""

import json
import os
from pathlib import Path

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"


# --8<-- [start:linreg]
def fit_line(steps=200, lr=0.1, momentum=0.9, seed=0):
    torch.manual_seed(seed)
    x = torch.linspace(-1, 1, 100, device=device).unsqueeze(1)  # shape (100, 1), like the output
    y = 2 * x + 1 + 0.1 * torch.randn(x.shape, device=device)
    model = torch.nn.Linear(1, 1).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()  # otherwise each backward() adds to the previous gradient
        loss = torch.nn.functional.mse_loss(model(x), y)  # (100, 1) vs (100, 1): no broadcasting
        loss.backward()
        opt.step()
    return model.weight.item(), model.bias.item(), loss.item(), x, y


# --8<-- [end:linreg]


def least_squares(x, y):
    """The exact minimiser of the mean squared error, for comparison."""
    design = torch.cat([x, torch.ones_like(x)], dim=1).double()
    sol = torch.linalg.lstsq(design.cpu(), y.double().cpu()).solution
    return sol[0].item(), sol[1].item()


if __name__ == "__main__":
    w, b, loss, x, y = fit_line()
    w_ls, b_ls = least_squares(x, y)
    print(f"device: {device}; data: y = 2x + 1 + noise (std 0.1), 100 points")
    print(f"  SGD(lr=0.1, momentum=0.9), 200 steps: w = {w:.4f}, b = {b:.4f}, loss = {loss:.5f}")
    print(f"  least squares on the same data:      w = {w_ls:.4f}, b = {b_ls:.4f}")

    results = {
        "w": w,
        "b": b,
        "w_least_squares": w_ls,
        "b_least_squares": b_ls,
        "fit_gap": max(abs(w - w_ls), abs(b - b_ls)),  # how far the fit ends from that line
        "line_error": max(abs(w_ls - 2), abs(b_ls - 1)),
    }
    if "DOCRUN_RESULTS" in os.environ:  # the site's build quotes these numbers on its pages
        Path(os.environ["DOCRUN_RESULTS"]).write_text(json.dumps(results))
