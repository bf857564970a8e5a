"""minigrad.nn: layers and their functional forms."""
from . import functional  # noqa: F401
