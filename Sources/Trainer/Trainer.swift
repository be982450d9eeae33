// The Trainer stage; see docs/architecture.md.
