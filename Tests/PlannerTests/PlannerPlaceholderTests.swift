import Testing
@testable import Planner

@Test func plannerModuleLinks() { #expect(Bool(true)) }
