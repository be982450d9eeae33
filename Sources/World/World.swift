// The World stage; see docs/architecture.md.
