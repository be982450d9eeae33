// Placeholder so the package manifest loads (Package.swift declares CLITests); the CLI owner replaces it.
import Testing

@Test func cliTestsPlaceholderWorld() { #expect(Bool(true)) }
