"""Version of the sklearn_kexue package."""

__version__ = "0.1.0"
