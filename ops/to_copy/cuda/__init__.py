"""to_copy of a GPU tensor: ``driver.py``."""
