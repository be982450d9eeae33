// The Planner stage; see docs/architecture.md.
