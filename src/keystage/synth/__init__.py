"""Deterministic synthetic data in DfE's published formats, behind `keystage demo` and the tests."""

from keystage.synth.demo import write_demo

__all__ = ["write_demo"]
