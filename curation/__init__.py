"""Curation: agreement, consensus, adjudication, releases, formats, evaluation."""
