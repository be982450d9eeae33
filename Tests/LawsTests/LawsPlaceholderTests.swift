import Testing
@testable import Laws

@Test func lawsModuleLinks() { #expect(Bool(true)) }
