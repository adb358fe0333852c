"""A batch 8x larger, but the learning rate may only double: which momentum keeps the noise?"""

from fractions import Fraction


def momentum_for(lr, batch, momentum, new_lr, new_batch):
    """The m' with new_lr / (new_batch (1 - m')) = lr / (batch (1 - m))."""
    return 1 - (1 - momentum) * new_lr * batch / (lr * new_batch)


def stationary_variance(lr, batch, momentum, h=1.0, sigma2=1.0):
    """The closed form of exercise 2, with gradient-noise variance sigma2 / batch."""
    m, s2 = momentum, sigma2 / batch
    return lr * s2 * (1 + m) / (h * (1 - m) * (2 * (1 + m) - lr * h))


if __name__ == "__main__":
    m_new = momentum_for(Fraction("0.1"), 256, Fraction("0.9"), Fraction("0.2"), 2048)
    print(f"new momentum: {m_new} = {float(m_new)}")
    before = stationary_variance(0.1, 256, 0.9)
    for m in (0.95, float(m_new), 0.99):
        ratio = stationary_variance(0.2, 2048, m) / before
        print(f"momentum {m}: stationary variance {ratio:.3f}x the old one")
