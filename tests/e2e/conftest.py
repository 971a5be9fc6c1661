"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

The `browser` and `page` fixtures live in tests/conftest.py: the fault tests (tests/faults)
drive the same Chromium, and Playwright's sync API runs one instance per thread.
"""
