"""full on CUDA. One version, ``fill``: a new device array written by one fill kernel
(ops/_cuda.full), nothing copied from the host."""
