// The Laws stage; see docs/architecture.md.
