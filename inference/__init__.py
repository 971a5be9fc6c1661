"""Inference: facial motion features, spotting models, training and pre-label runs."""
