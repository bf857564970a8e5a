"""minigrad.models: ready-made networks (LeNet-5, SeedCNN, MLP) arrive with the nn
issue; installed as ``minigrad.models``."""
