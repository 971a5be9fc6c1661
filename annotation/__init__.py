"""Annotation: protocol, blind passes, segments, clip votes."""
