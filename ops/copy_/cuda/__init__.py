"""copy_ on CUDA. One version, ``driver``: one device-to-device copy by the driver, no
kernel launch (both arrays are C-contiguous, as every device array here)."""
