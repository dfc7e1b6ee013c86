"""leadgen: embeddable B2B lead pipelines."""

from leadgen._leadgen import __version__

__all__ = ["__version__"]
