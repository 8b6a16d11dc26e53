"""keystage: reproducible Key Stage 2 reports for English local authorities."""

__version__ = "0.1.0"
