"""`make chaos`: SIGKILL each process of a running system under load and report how it heals."""
