import Testing
@testable import World

@Test func worldModuleLinks() { #expect(Bool(true)) }
