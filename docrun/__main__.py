"""`python -m docrun run ...` runs the scripts; `python -m docrun mnist ...` prepares MNIST."""

import sys

from docrun import mnist, runner

COMMANDS = {"run": runner.main, "mnist": mnist.main}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m docrun {{{','.join(COMMANDS)}}} [options]", file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
