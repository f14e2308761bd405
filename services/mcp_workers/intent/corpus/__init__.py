"""Labelled intent corpus (JSONL) and its generator."""
