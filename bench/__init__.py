"""Performance benchmark at school scale (`make bench`); see bench/README.md. Not part of `make test`."""
