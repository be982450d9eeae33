// The Sweeps stage; see docs/architecture.md.
