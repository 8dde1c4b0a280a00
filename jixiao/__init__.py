"""jixiao (绩效): read, score and review budget performance self-evaluations."""

__version__ = "0.1.0"
