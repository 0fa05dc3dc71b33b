"""OneWindow (一窗通办): a one-stop government service platform for development zones."""

__version__ = "0.1.0"
