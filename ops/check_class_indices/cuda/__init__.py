"""check_class_indices on CUDA. One version, ``flag``: one thread per target writes the
first bad index it finds into the device's error word, read at the next copy to the
host (see the folder's __init__.py)."""
