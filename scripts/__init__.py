"""Operations scripts: setup, serving, the embedded-defaults smoke run, local server helpers."""
