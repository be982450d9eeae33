// Placeholder so the package builds on branch `trainer` before the CLITests target lands from main.
import Testing

@Test func cliTestsTargetBuilds() { #expect(Bool(true)) }
