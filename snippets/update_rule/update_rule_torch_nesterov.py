"""torch.optim.SGD refuses nesterov=True unless momentum > 0 and dampening == 0."""

import torch


# --8<-- [start:nesterov]
def nesterov_error(momentum, dampening):
    """The ValueError message torch.optim.SGD raises, or None if it accepts the settings."""
    p = torch.nn.Parameter(torch.zeros(1))
    try:
        torch.optim.SGD([p], lr=0.1, momentum=momentum, dampening=dampening, nesterov=True)
    except ValueError as err:
        return str(err)
    return None


# --8<-- [end:nesterov]

if __name__ == "__main__":
    for momentum, dampening in [(0.9, 0.0), (0.9, 0.1), (0.0, 0.0)]:
        msg = nesterov_error(momentum, dampening)
        verdict = "accepted" if msg is None else f"ValueError: {msg}"
        print(f"nesterov=True, momentum={momentum}, dampening={dampening}: {verdict}")
